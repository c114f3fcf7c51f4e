"""SDR work: queues and the claim pool, assignment rules, SLA clocks, activities, lead flow and
capacity planning. Pure logic (capacity, committee, territory, lead flow) needs no database."""
