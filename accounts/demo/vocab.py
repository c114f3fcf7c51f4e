"""Word lists the demo generator draws from: countries, industries, names, titles, campaigns.

Plain data only, so the generator and its tests share one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    name: str  # ISO 3166 short name as CRMs export it
    code: str  # alpha-2, written instead of the name in a few rows
    weight: float  # share of accounts
    tld: str  # country-code domain ending
    com_share: float  # share of companies there that use .com anyway
    phone_prefix: str
    style: str  # naming style: company names, people names
    region: str
    currency: str
    cities: tuple[str, ...]


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country(
        "United States", "US", 34, "com", 1.0, "+1", "en", "North America", "USD",
        (
            "New York", "San Francisco", "Chicago", "Austin", "Boston", "Seattle", "Atlanta",
            "Denver", "Dallas", "Los Angeles", "Charlotte", "Minneapolis",
        ),
    ),
    Country(
        "United Kingdom", "GB", 10, "co.uk", 0.35, "+44", "en", "EMEA", "GBP",
        (
            "London", "Manchester", "Birmingham", "Leeds", "Edinburgh", "Bristol", "Glasgow",
            "Cambridge",
        ),
    ),
    Country(
        "Germany", "DE", 9, "de", 0.2, "+49", "de", "EMEA", "EUR",
        (
            "Berlin", "München", "Hamburg", "Frankfurt am Main", "Köln", "Stuttgart", "Düsseldorf",
            "Leipzig",
        ),
    ),
    Country(
        "France", "FR", 6, "fr", 0.25, "+33", "fr", "EMEA", "EUR",
        ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux"),
    ),
    Country(
        "Canada", "CA", 4, "ca", 0.6, "+1", "en", "North America", "USD",
        ("Toronto", "Vancouver", "Montréal", "Calgary", "Ottawa"),
    ),
    Country(
        "Netherlands", "NL", 3, "nl", 0.3, "+31", "nl", "EMEA", "EUR",
        ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Den Haag"),
    ),
    Country(
        "Spain", "ES", 3, "es", 0.3, "+34", "es", "EMEA", "EUR",
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"),
    ),
    Country(
        "Italy", "IT", 3, "it", 0.3, "+39", "it", "EMEA", "EUR",
        ("Milano", "Roma", "Torino", "Bologna", "Firenze"),
    ),
    Country(
        "Sweden", "SE", 2, "se", 0.4, "+46", "nordic", "EMEA", "EUR",
        ("Stockholm", "Göteborg", "Malmö", "Uppsala"),
    ),
    Country(
        "Switzerland", "CH", 2, "ch", 0.3, "+41", "de", "EMEA", "EUR",
        ("Zürich", "Basel", "Bern", "Zug"),
    ),
    Country(
        "Austria", "AT", 1, "at", 0.2, "+43", "de", "EMEA", "EUR",
        ("Wien", "Graz", "Linz", "Salzburg"),
    ),
    Country(
        "Belgium", "BE", 1, "be", 0.3, "+32", "fr", "EMEA", "EUR",
        ("Bruxelles", "Antwerpen", "Gent", "Liège"),
    ),
    Country(
        "Ireland", "IE", 1, "ie", 0.5, "+353", "en", "EMEA", "EUR", ("Dublin", "Cork", "Galway"),
    ),
    Country(
        "Australia", "AU", 3, "com.au", 0.3, "+61", "en", "APAC", "USD",
        ("Sydney", "Melbourne", "Brisbane", "Perth"),
    ),
    Country(
        "Japan", "JP", 3, "co.jp", 0.2, "+81", "ja", "APAC", "USD",
        ("Tokyo", "Osaka", "Yokohama", "Nagoya", "Fukuoka"),
    ),
    Country(
        "China", "CN", 2, "com.cn", 0.3, "+86", "zh", "APAC", "USD",
        ("Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Guangzhou"),
    ),
    Country(
        "India", "IN", 3, "in", 0.6, "+91", "in", "APAC", "USD",
        ("Bengaluru", "Mumbai", "Pune", "Hyderabad", "Chennai", "New Delhi"),
    ),
    Country("Singapore", "SG", 1, "com.sg", 0.5, "+65", "en", "APAC", "USD", ("Singapore",)),
    Country(
        "Brazil", "BR", 2, "com.br", 0.3, "+55", "pt", "LATAM", "USD",
        ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"),
    ),
    Country(
        "Mexico", "MX", 1, "com.mx", 0.4, "+52", "es", "LATAM", "USD",
        ("Ciudad de México", "Monterrey", "Guadalajara"),
    ),
)
# fmt: on
COUNTRY_BY_KEY: dict[str, Country] = {}
for _c in COUNTRIES:
    COUNTRY_BY_KEY[_c.name.casefold()] = _c
    COUNTRY_BY_KEY[_c.code.casefold()] = _c
COUNTRY_BY_KEY["uk"] = COUNTRY_BY_KEY["gb"]
COUNTRY_BY_KEY["usa"] = COUNTRY_BY_KEY["us"]

# Hidden ICP: how much each observable feature helps an account buy (log-odds).
# fmt: off
COUNTRY_FIT = {
    "US": 0.45, "GB": 0.35, "CA": 0.25, "DE": 0.25, "NL": 0.2, "AU": 0.15, "SE": 0.15, "CH": 0.15,
    "IE": 0.15, "FR": 0.0, "AT": 0.05, "BE": 0.0, "SG": 0.1, "ES": -0.2, "IT": -0.2, "JP": -0.3,
    "IN": -0.4, "BR": -0.5, "MX": -0.5, "CN": -0.9,
}
# fmt: on

# industry → (share of accounts, ICP weight, revenue per employee in USD, sector words by style)
# fmt: off
INDUSTRIES: dict[str, tuple[float, float, int]] = {
    "Software": (12, 1.0, 260_000), "Financial Services": (9, 0.9, 420_000),
    "Insurance": (5, 0.6, 380_000), "Healthcare": (8, 0.5, 140_000),
    "Pharmaceuticals": (3, 0.35, 450_000), "Telecommunications": (3, 0.4, 350_000),
    "Retail": (8, 0.3, 180_000), "Media": (4, 0.2, 220_000),
    "Professional Services": (8, 0.1, 160_000), "Manufacturing": (12, 0.0, 240_000),
    "Logistics": (6, 0.0, 190_000), "Energy": (4, -0.1, 600_000), "Hospitality": (4, -0.6, 70_000),
    "Construction": (5, -0.7, 200_000), "Education": (4, -0.8, 90_000),
    "Government": (3, -1.0, 120_000), "Agriculture": (2, -0.9, 150_000),
}
# fmt: on
MISSING_INDUSTRY_FIT = -0.3

# Sector words per industry, in English; other styles translate some of them below.
# fmt: off
SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "Software": (
        "Analytics", "Software", "Systems", "Labs", "Data", "Cloud", "Technologies", "Digital",
        "Networks", "AI", "Solutions", "Platforms",
    ),
    "Financial Services": (
        "Capital", "Financial", "Partners", "Investments", "Bank", "Payments", "Securities",
        "Asset Management", "Credit",
    ),
    "Insurance": ("Insurance", "Assurance", "Mutual", "Underwriters", "Risk"),
    "Healthcare": ("Health", "Medical", "Care", "Clinics", "Diagnostics", "Healthcare"),
    "Pharmaceuticals": ("Pharma", "Therapeutics", "Biosciences", "Biotech", "Life Sciences"),
    "Telecommunications": ("Telecom", "Communications", "Mobile", "Connect", "Broadband"),
    "Retail": ("Retail", "Stores", "Outfitters", "Market", "Brands", "Home"),
    "Media": ("Media", "Studios", "Publishing", "Entertainment", "Broadcasting"),
    "Professional Services": ("Consulting", "Advisors", "Associates", "Group", "Partners"),
    "Manufacturing": (
        "Manufacturing", "Industries", "Engineering", "Components", "Precision", "Machinery",
        "Materials", "Plastics", "Metals",
    ),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport", "Supply Chain"),
    "Energy": ("Energy", "Power", "Solar", "Renewables", "Utilities", "Oil & Gas"),
    "Hospitality": ("Hotels", "Resorts", "Hospitality", "Restaurants", "Travel"),
    "Construction": ("Construction", "Builders", "Contractors", "Infrastructure", "Homes"),
    "Education": ("Academy", "Learning", "Education", "Institute", "College"),
    "Government": ("Authority", "Agency", "Council", "Services", "Department"),
    "Agriculture": ("Farms", "Agri", "Seeds", "Harvest", "Growers"),
}
# fmt: on
# fmt: off
SECTOR_TRANSLATIONS: dict[str, dict[str, str]] = {
    "de": {
        "Logistics": "Logistik", "Software": "Software", "Systems": "Systeme",
        "Engineering": "Maschinenbau", "Manufacturing": "Fertigung", "Transport": "Spedition",
        "Data": "Datentechnik", "Insurance": "Versicherung", "Bank": "Bank", "Health": "Gesundheit",
        "Medical": "Medizintechnik", "Energy": "Energie", "Construction": "Bau",
        "Industries": "Industrie", "Retail": "Handel", "Consulting": "Beratung", "Media": "Medien",
        "Pharma": "Pharma", "Communications": "Kommunikation", "Solutions": "Lösungen",
        "Precision": "Feinmechanik", "Materials": "Werkstoffe", "Metals": "Metallbau",
        "Hotels": "Hotels", "Farms": "Landwirtschaft", "Capital": "Kapital", "Freight": "Fracht",
    },
    "fr": {
        "Logistics": "Logistique", "Software": "Logiciels", "Systems": "Systèmes",
        "Engineering": "Ingénierie", "Manufacturing": "Industrie", "Transport": "Transports",
        "Data": "Données", "Insurance": "Assurances", "Bank": "Banque", "Health": "Santé",
        "Medical": "Médical", "Energy": "Énergie", "Construction": "Bâtiment",
        "Retail": "Distribution", "Consulting": "Conseil", "Media": "Médias",
        "Communications": "Télécom", "Solutions": "Solutions", "Materials": "Matériaux",
        "Hotels": "Hôtellerie", "Capital": "Capital", "Pharma": "Pharma",
    },
    "es": {
        "Logistics": "Logística", "Software": "Software", "Systems": "Sistemas",
        "Engineering": "Ingeniería", "Manufacturing": "Industrial", "Transport": "Transportes",
        "Insurance": "Seguros", "Bank": "Banco", "Health": "Salud", "Energy": "Energía",
        "Construction": "Construcciones", "Retail": "Comercial", "Consulting": "Consultores",
        "Media": "Medios", "Communications": "Comunicaciones", "Hotels": "Hoteles",
        "Capital": "Capital", "Farms": "Agrícola",
    },
    "it": {
        "Logistics": "Logistica", "Software": "Software", "Systems": "Sistemi",
        "Engineering": "Ingegneria", "Manufacturing": "Industrie", "Transport": "Trasporti",
        "Insurance": "Assicurazioni", "Bank": "Banca", "Health": "Salute", "Energy": "Energia",
        "Construction": "Costruzioni", "Retail": "Commerciale", "Consulting": "Consulenza",
        "Media": "Media", "Hotels": "Alberghi", "Capital": "Capitale", "Metals": "Metalli",
    },
    "pt": {
        "Logistics": "Logística", "Systems": "Sistemas", "Engineering": "Engenharia",
        "Transport": "Transportes", "Insurance": "Seguros", "Bank": "Banco", "Health": "Saúde",
        "Energy": "Energia", "Construction": "Construções", "Consulting": "Consultoria",
        "Retail": "Comércio", "Farms": "Agropecuária",
    },
    "nl": {
        "Logistics": "Logistiek", "Systems": "Systemen", "Engineering": "Techniek",
        "Transport": "Transport", "Insurance": "Verzekeringen", "Bank": "Bank", "Health": "Zorg",
        "Energy": "Energie", "Construction": "Bouw", "Consulting": "Advies", "Retail": "Retail",
        "Media": "Media",
    },
    "nordic": {
        "Logistics": "Logistik", "Systems": "System", "Engineering": "Teknik",
        "Transport": "Transport", "Insurance": "Försäkring", "Health": "Hälsa", "Energy": "Energi",
        "Construction": "Bygg", "Consulting": "Konsult",
    },
}
# fmt: on

# Invented brand roots: start + optional joint + ending ("Velo" + "" + "tria" → "Velotria").
# fmt: off
ROOT_STARTS = (
    "Acu", "Aero", "Alta", "Ambi", "Apex", "Aqua", "Arca", "Astra", "Aura", "Bel", "Bio", "Blue",
    "Bright", "Cal", "Cata", "Cel", "Cen", "Cirr", "Clar", "Cobal", "Cor", "Cres", "Cyb", "Dat",
    "Del", "Dyna", "Ec", "El", "Ember", "En", "Equi", "Ever", "Fal", "Fen", "Flux", "Fort", "Gal",
    "Gen", "Glo", "Gran", "Hal", "Heli", "Hori", "Hyp", "Ign", "Inno", "Inte", "Ion", "Jas", "Kal",
    "Kin", "Lat", "Lum", "Lyn", "Mag", "Mar", "Med", "Meri", "Mon", "Nav", "Neb", "Nex", "Nor",
    "Nov", "Oct", "Omni", "Opt", "Orb", "Pal", "Pan", "Peri", "Pol", "Prim", "Pro", "Pyr", "Quan",
    "Quin", "Rad", "Ral", "Ren", "Rho", "Sal", "Sca", "Sel", "Sier", "Sol", "Spec", "Stel", "Syn",
    "Tal", "Tec", "Ter", "Tri", "Ultr", "Uni", "Val", "Vec", "Vel", "Ver", "Vir", "Vit", "Vox",
    "Xen", "Zen", "Zephyr",
)
# fmt: on
ROOT_JOINTS = ("", "", "", "a", "o", "i", "e", "ra", "ro", "li", "ne", "ta", "vi", "ma", "du")
# fmt: off
ROOT_ENDS = (
    "tria", "nix", "gen", "tek", "vo", "ra", "ria", "lytics", "sys", "wave", "ly", "ona", "ix",
    "ara", "eon", "ium", "ora", "ant", "ence", "ify", "ica", "ova", "ent", "os", "is", "um", "ex",
    "ar", "ia", "ity", "on", "ta", "co", "path", "point", "stream", "logic", "grid", "line",
    "scale", "field", "forge", "mark", "bridge", "core", "sphere", "works", "leaf",
)
# fmt: on
# fmt: off
PLACE_WORDS = (
    "Northwind", "Bluewater", "Redwood", "Summit", "Granite", "Harbor", "Cedar", "Pinnacle",
    "Evergreen", "Ironbridge", "Silverline", "Oakridge", "Riverside", "Westfield", "Eastgate",
    "Highland", "Lakeshore", "Stonegate", "Brightwater", "Clearwater", "Pacific", "Atlantic",
    "Meridian", "Keystone", "Crescent", "Horizon", "Falcon", "Pioneer", "Heritage", "Liberty",
    "Sterling", "Beacon", "Anchor", "Copper", "Maple", "Willow", "Aspen", "Sequoia", "Cobalt",
    "Orchard",
)
# fmt: on

# People: (first names, last names) per style. Non-ASCII where the language has it.
# fmt: off
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
        "Elizabeth", "William", "Sarah", "Richard", "Jessica", "Thomas", "Karen", "Chris", "Emily",
        "Daniel", "Ashley", "Matthew", "Amanda", "Andrew", "Megan", "Ryan", "Rachel", "Kevin",
        "Laura", "Brian", "Hannah", "Olivia", "Liam", "Noah", "Emma", "Sophie", "Zoë", "Chloe",
        "Aidan", "Niamh", "Priya",
    ),
    "de": (
        "Jürgen", "Stefan", "Andreas", "Michael", "Thomas", "Katrin", "Sabine", "Anja", "Jörg",
        "Björn", "Lukas", "Lena", "Jana", "Maximilian", "Sophie", "Tobias", "Julia", "Uwe",
        "Birgit", "Matthias", "Sören", "Anna", "Felix", "Claudia",
    ),
    "fr": (
        "François", "Hélène", "Jean", "Marie", "Pierre", "Céline", "Nicolas", "Émilie", "Julien",
        "Camille", "Sébastien", "Aurélie", "Thomas", "Chloé", "Mathieu", "Léa", "Antoine", "Inès",
        "Laurent", "Élodie",
    ),
    "es": (
        "José", "María", "Javier", "Lucía", "Carlos", "Sofía", "Alejandro", "Carmen", "Miguel",
        "Ana", "Pablo", "Marta", "Andrés", "Elena", "Raúl", "Paula",
    ),
    "it": (
        "Giuseppe", "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara",
        "Matteo", "Valentina", "Davide", "Elisa", "Niccolò", "Martina",
    ),
    "pt": (
        "João", "Ana", "Pedro", "Mariana", "Lucas", "Beatriz", "Gabriel", "Júlia", "Rafael",
        "Camila", "Thiago", "Letícia",
    ),
    "nl": (
        "Jan", "Sanne", "Pieter", "Femke", "Daan", "Lotte", "Bram", "Anouk", "Joost", "Eva", "Sven",
        "Iris",
    ),
    "nordic": (
        "Björn", "Anna", "Erik", "Ingrid", "Lars", "Karin", "Magnus", "Sofia", "Oskar", "Elin",
        "Johan", "Åsa",
    ),
    "ja": (
        "Taro", "Hanako", "Ken", "Yoko", "Makoto", "Naoki", "Misaki", "Sho", "Yumi", "Daisuke",
        "Haruto", "Yui", "Kenji", "Aiko",
    ),
    "zh": (
        "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yang", "Yong", "Yan", "Jie", "Hao", "Xin", "Li",
        "Ming",
    ),
    "in": (
        "Aarav", "Priya", "Rahul", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rohan", "Divya",
        "Amit", "Pooja", "Sanjay", "Neha",
    ),
}
# fmt: on
# fmt: off
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
        "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
        "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
        "Nelson", "Hill", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "Murphy",
        "Whitfield", "Harrington", "Cole", "Fletcher", "Bennett", "Hughes", "Patel", "Nguyen",
        "Kim", "Garcia",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Köhler",
        "Große", "Weiß",
    ),
    "fr": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garnier", "Rousseau", "Fournier",
        "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Chevalier",
    ),
    "es": (
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
        "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Romero",
        "Navarro",
    ),
    "it": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
        "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
    ),
    "pt": (
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
        "Gomes", "Costa", "Ribeiro", "Carvalho", "Araújo",
    ),
    "nl": (
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
        "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos",
    ),
    "nordic": (
        "Johansson", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Lindqvist", "Ström", "Sjöberg", "Åberg",
    ),
    "ja": (
        "Yamada", "Sato", "Suzuki", "Takahashi", "Tanaka", "Ito", "Watanabe", "Nakamura",
        "Kobayashi", "Kato", "Yoshida", "Yamamoto", "Sasaki", "Inoue",
    ),
    "zh": (
        "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
        "Ma", "Zhu",
    ),
    "in": (
        "Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Agarwal", "Mehta",
        "Joshi", "Rao", "Desai", "Banerjee",
    ),
}
# fmt: on
# Kanji/Hanzi display names for some East-Asian people (romanised form → native form).
# fmt: off
NATIVE_NAMES: dict[str, str] = {
    "Yamada": "山田", "Sato": "佐藤", "Suzuki": "鈴木", "Takahashi": "高橋", "Tanaka": "田中", "Ito": "伊藤",
    "Watanabe": "渡辺", "Nakamura": "中村", "Kobayashi": "小林", "Kato": "加藤", "Taro": "太郎",
    "Hanako": "花子", "Ken": "健", "Yoko": "陽子", "Makoto": "誠", "Naoki": "直樹", "Misaki": "美咲",
    "Yumi": "由美", "Daisuke": "大輔", "Wang": "王", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Huang": "黄",
    "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Fang": "芳", "Jing": "静", "Lei": "磊", "Yong": "勇",
}
# fmt: on

# Japanese company parts: (native, romanised English).
# fmt: off
JA_ROOTS = (
    ("桜", "Sakura"), ("富士", "Fuji"), ("大和", "Yamato"), ("北斗", "Hokuto"), ("青山", "Aoyama"),
    ("高田", "Takada"), ("中村", "Nakamura"), ("東洋", "Toyo"), ("三国", "Mikuni"), ("日進", "Nisshin"),
    ("光", "Hikari"), ("朝日", "Asahi"), ("松本", "Matsumoto"), ("白山", "Hakusan"), ("新星", "Shinsei"),
    ("明和", "Meiwa"), ("太陽", "Taiyo"), ("菱和", "Ryowa"), ("昭栄", "Shoei"), ("千代田", "Chiyoda"),
    ("東邦", "Toho"), ("協和", "Kyowa"), ("丸山", "Maruyama"), ("岡本", "Okamoto"), ("大成", "Taisei"),
)
# fmt: on
# fmt: off
JA_SECTORS = (
    ("電機", "Electric"), ("精工", "Precision"), ("化学", "Chemical"), ("商事", "Trading"),
    ("建設", "Construction"), ("食品", "Foods"), ("製薬", "Pharmaceutical"), ("物流", "Logistics"),
    ("システムズ", "Systems"), ("テクノロジー", "Technology"), ("ソフトウェア", "Software"), ("保険", "Insurance"),
    ("証券", "Securities"), ("工業", "Industries"), ("通信", "Telecom"), ("データ", "Data"),
    ("メディカル", "Medical"), ("エネルギー", "Energy"),
)
# fmt: on
JA_SECTORS_BY_INDUSTRY: dict[str, tuple[tuple[str, str], ...]] = {
    industry: tuple(pair for pair in JA_SECTORS if pair[1] in english)
    for industry, english in {
        "Software": {"Systems", "Technology", "Software", "Data"},
        "Financial Services": {"Securities", "Trading"},
        "Insurance": {"Insurance"},
        "Healthcare": {"Medical"},
        "Pharmaceuticals": {"Pharmaceutical", "Chemical"},
        "Telecommunications": {"Telecom"},
        "Retail": {"Trading", "Foods"},
        "Manufacturing": {"Electric", "Precision", "Chemical", "Industries"},
        "Logistics": {"Logistics"},
        "Energy": {"Energy"},
        "Construction": {"Construction"},
        "Agriculture": {"Foods"},
    }.items()
}
# fmt: off
ZH_ROOTS = (
    "Hua", "Xin", "Tian", "Long", "Jin", "Bao", "Zhong", "Hai", "Kang", "Rui", "Sheng", "Feng",
    "Yuan", "Da", "Guo", "Ming", "Heng", "Tai", "Xing", "Wei", "Chang", "An",
)
# fmt: on

# Legal forms per style with how often a CRM account name carries one at all.
# fmt: off
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "en": ("Inc.", "Inc.", "LLC", "Corp.", "Ltd", "Group", "Co."),
    "en_gb": ("Ltd", "Ltd", "Limited", "PLC", "Group"), "en_au": ("Pty Ltd",),
    "en_in": ("Pvt Ltd", "Private Limited", "Ltd"), "en_sg": ("Pte Ltd",),
    "de": ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "SE"),
    "fr": ("SAS", "S.A.", "SARL", "SA"), "es": ("S.L.", "S.A.", "SL"), "es_mx": ("S.A. de C.V.",),
    "it": ("S.p.A.", "S.r.l.", "Srl"), "pt": ("Ltda.", "S.A."), "nl": ("B.V.", "BV", "N.V."),
    "nordic": ("AB",), "ja": ("Co., Ltd.", "K.K.", "Corporation"), "zh": ("Co., Ltd.",),
}
# fmt: on
# What people type instead of the legal form on the account (lead noise).
# fmt: off
LEGAL_VARIANTS: dict[str, tuple[str, ...]] = {
    "Inc.": ("Inc", ", Inc.", "Incorporated", "INC", ""), "LLC": ("L.L.C.", "llc", ""),
    "Corp.": ("Corporation", "Corp", ""), "Ltd": ("Ltd.", "Limited", "LTD", ""),
    "Limited": ("Ltd", "Ltd.", ""), "PLC": ("plc", "Plc", ""), "Co.": ("Company", "Co", ""),
    "Group": ("Grp", ""), "Pty Ltd": ("Pty. Ltd.", "Pty Limited", ""),
    "Pvt Ltd": ("Pvt. Ltd.", "Private Limited", ""), "Private Limited": ("Pvt Ltd", ""),
    "Pte Ltd": ("Pte. Ltd.", ""), "GmbH": ("Gmbh", "GmbH & Co. KG", "mbH", ""), "AG": ("A.G.", ""),
    "GmbH & Co. KG": ("GmbH", "GmbH & Co KG", ""), "SE": ("AG", ""), "SAS": ("S.A.S.", "SA", ""),
    "S.A.": ("SA", "S.A", "S.A.S.", ""), "SARL": ("S.A.R.L.", "Sàrl", ""), "SA": ("S.A.", ""),
    "S.L.": ("SL", "S.L", ""), "SL": ("S.L.", ""), "S.A. de C.V.": ("SA de CV", "S.A.", ""),
    "S.p.A.": ("SpA", "S.p.A", ""), "S.r.l.": ("Srl", "SRL", ""), "Srl": ("S.r.l.", ""),
    "Ltda.": ("Ltda", "LTDA", ""), "B.V.": ("BV", "B.V", ""), "BV": ("B.V.", ""),
    "N.V.": ("NV", ""), "AB": ("Aktiebolag", "(publ)", ""),
    "Co., Ltd.": ("Co. Ltd", "Company Limited", "Co Ltd", ""),
    "K.K.": ("KK", "Kabushiki Kaisha", ""), "Corporation": ("Corp.", ""),
    "": ("Inc.", "LLC", "Ltd", "Group"),
}
# fmt: on
# fmt: off
SUBSIDIARY_QUALIFIER = {
    "United States": "US", "United Kingdom": "UK", "Germany": "Deutschland", "France": "France",
    "Canada": "Canada", "Netherlands": "Nederland", "Spain": "España", "Italy": "Italia",
    "Sweden": "Sverige", "Switzerland": "Schweiz", "Austria": "Austria", "Belgium": "Belgium",
    "Ireland": "Ireland", "Australia": "Australia", "Japan": "Japan", "China": "China",
    "India": "India", "Singapore": "Asia Pacific", "Brazil": "Brasil", "Mexico": "México",
}
# fmt: on

# fmt: off
# (name, how common, ICP weight)
TECHNOLOGIES: tuple[tuple[str, float, float], ...] = (
    ("Salesforce", 0.35, 0.55), ("HubSpot", 0.22, 0.2), ("Marketo", 0.1, 0.35),
    ("Pardot", 0.06, 0.15), ("Snowflake", 0.12, 0.6), ("Databricks", 0.07, 0.4),
    ("Segment", 0.06, 0.45), ("AWS", 0.4, 0.1), ("Google Cloud", 0.15, 0.05), ("Azure", 0.3, 0.0),
    ("Workday", 0.1, 0.1), ("SAP", 0.18, -0.05), ("Oracle", 0.15, -0.1),
    ("Microsoft Dynamics", 0.1, -0.3), ("Zendesk", 0.12, 0.1), ("Shopify", 0.06, -0.1),
    ("Slack", 0.3, 0.05), ("Tableau", 0.14, 0.2), ("Zoho", 0.05, -0.45), ("6sense", 0.03, 0.3),
)
# fmt: on

# fmt: off
FREE_MAIL_BY_STYLE: dict[str, tuple[str, ...]] = {
    "en": (
        "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
        "icloud.com", "aol.com", "yahoo.co.uk", "protonmail.com",
    ),
    "de": ("gmx.de", "web.de", "gmail.com", "t-online.de", "gmx.net", "outlook.de"),
    "fr": ("orange.fr", "free.fr", "gmail.com", "laposte.net", "hotmail.fr", "yahoo.fr"),
    "es": ("gmail.com", "hotmail.es", "yahoo.es", "outlook.es"),
    "it": ("libero.it", "gmail.com", "virgilio.it", "hotmail.it"),
    "pt": ("gmail.com", "uol.com.br", "bol.com.br", "hotmail.com"),
    "nl": ("gmail.com", "ziggo.nl", "hotmail.nl", "kpnmail.nl"),
    "nordic": ("gmail.com", "hotmail.se", "telia.com", "outlook.com"),
    "ja": ("yahoo.co.jp", "gmail.com", "docomo.ne.jp", "icloud.com"),
    "zh": ("qq.com", "163.com", "126.com", "sina.com", "gmail.com"),
    "in": ("gmail.com", "gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"),
}
# fmt: on
FREE_MAIL_DOMAINS = frozenset(d for ds in FREE_MAIL_BY_STYLE.values() for d in ds)

# fmt: off
JUNK_COMPANY_NAMES = (
    "n/a", "N/A", "-", "self", "Self-employed", "student", "Student", "none", ".", "", "", "",
    "unknown", "private", "test", "na",
)
# fmt: on

# fmt: off
DEPARTMENTS = (
    "Marketing", "Sales", "IT", "Finance", "Operations", "Procurement", "Engineering",
    "Human Resources", "Customer Success", "Data & Analytics",
)
# fmt: on
# department → titles per level (C-level/VP, Director, Practitioner)
# fmt: off
TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "Marketing": (
        ("Chief Marketing Officer", "CMO", "VP Marketing", "VP, Demand Generation"),
        (
            "Director of Marketing", "Director, Demand Generation",
            "Senior Director, Field Marketing", "Director, Marketing Operations",
        ),
        (
            "Marketing Manager", "Marketing Operations Manager", "Campaign Manager",
            "Content Marketing Specialist", "Demand Generation Manager", "Marketing Coordinator",
        ),
    ),
    "Sales": (
        ("Chief Revenue Officer", "CRO", "VP Sales", "SVP Worldwide Sales"),
        ("Director of Sales", "Sales Director EMEA", "Regional Sales Director"),
        (
            "Account Executive", "Sales Development Representative", "Sales Operations Analyst",
            "Business Development Manager", "Key Account Manager",
        ),
    ),
    "IT": (
        ("Chief Information Officer", "CIO", "CTO", "VP Information Technology"),
        ("IT Director", "Director of IT", "Director of Infrastructure"),
        (
            "IT Manager", "Systems Administrator", "Solutions Architect", "Security Engineer",
            "Salesforce Administrator",
        ),
    ),
    "Finance": (
        ("Chief Financial Officer", "CFO", "VP Finance"),
        ("Finance Director", "Director of FP&A", "Director, Financial Control"),
        ("Financial Analyst", "Accountant", "Billing Specialist"),
    ),
    "Operations": (
        ("Chief Operating Officer", "COO", "VP Operations"),
        ("Director of Operations", "Director, Revenue Operations"),
        ("Operations Manager", "RevOps Analyst", "Business Analyst"),
    ),
    "Procurement": (
        ("Chief Procurement Officer", "VP Procurement"),
        ("Procurement Director", "Director of Purchasing"),
        ("Buyer", "Procurement Specialist", "Category Manager", "Einkäufer"),
    ),
    "Engineering": (
        ("VP Engineering", "Chief Technology Officer"),
        ("Director of Engineering", "Director, Platform Engineering"),
        ("Software Engineer", "Data Engineer", "Senior Developer", "DevOps Engineer"),
    ),
    "Human Resources": (
        ("Chief People Officer", "VP People"), ("HR Director", "Director of Talent Acquisition"),
        ("HR Business Partner", "Recruiter", "HR Generalist"),
    ),
    "Customer Success": (
        ("VP Customer Success", "Chief Customer Officer"),
        ("Director of Customer Success", "Director of Support"),
        ("Customer Success Manager", "Support Specialist", "Onboarding Manager"),
    ),
    "Data & Analytics": (
        ("Chief Data Officer", "VP Data"), ("Director of Analytics", "Director, Data Science"),
        ("Data Analyst", "Data Scientist", "Analytics Engineer", "BI Developer"),
    ),
}
# fmt: on
# fmt: off
LEAD_SOURCES = (
    "Web", "Event", "Partner Referral", "Purchased List", "Webinar", "Outbound", "Trade Show",
    "Advertisement", "Employee Referral", "",
)
# fmt: on

# fmt: off
LIFECYCLE_STAGES = (
    "Subscriber", "Lead", "Lead", "Lead", "Marketing Qualified Lead", "Marketing Qualified Lead",
    "Sales Qualified Lead", "Opportunity", "Customer", "",
)
# fmt: on
# fmt: off
LEAD_STATUSES = (
    "New", "New", "Open", "In Progress", "Attempted to Contact", "Connected", "Open Deal",
    "Unqualified", "Bad Timing", "",
)
# fmt: on

# fmt: off
OPEN_STAGES = (
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
    "Negotiation/Review",
)
# fmt: on
# fmt: off
OPPORTUNITY_PRODUCTS = (
    "Platform", "Analytics Add-on", "Data Cloud", "Enterprise Licence", "Expansion", "Renewal",
    "Professional Services", "Pilot",
)
# fmt: on
FX_FROM_USD = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}

# fmt: off
INTENT_TOPICS: tuple[str, ...] = (
    "customer data platform", "account-based marketing", "marketing automation",
    "predictive analytics", "revenue operations", "data warehouse", "intent data",
    "sales engagement", "lead scoring", "crm migration", "identity resolution", "b2b advertising",
    "conversational marketing", "pipeline forecasting",
)
# fmt: on
INTENT_SOURCES = ("Bombora", "Bombora", "Bombora", "G2", "G2", "TrustRadius")

# fmt: off
WEB_PAGES = (
    "/", "/pricing", "/product/account-scoring", "/product/lead-matching", "/product/dashboards",
    "/customers", "/case-studies/finserv", "/blog/what-is-abm", "/blog/icp-fit-vs-intent", "/demo",
    "/integrations/salesforce", "/security", "/resources/abm-benchmark-report", "/webinars",
)
# fmt: on
OUR_SITE = "https://www.beacon-abm.example"

# kind → channel for touches outside any campaign
# fmt: off
KIND_CHANNEL = {
    "email_open": "email", "email_click": "email", "ad_click": "ads", "web_visit": "web",
    "form_fill": "web", "event_attended": "events", "webinar_attended": "webinars",
    "meeting": "sdr_outreach", "direct_mail": "direct_mail", "call": "sdr_outreach",
}
# fmt: on
# channel → kinds it produces (first is the most common)
# fmt: off
CHANNEL_KINDS = {
    "email": ("email_open", "email_open", "email_open", "email_click"), "ads": ("ad_click",),
    "web": ("web_visit", "web_visit", "web_visit", "form_fill"), "events": ("event_attended",),
    "webinars": ("webinar_attended",), "direct_mail": ("direct_mail",),
    "sdr_outreach": ("call", "call", "meeting"),
}
# fmt: on


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    kind: str  # one_to_one | one_to_few | one_to_many
    channels: tuple[str, ...]
    industries: frozenset[str]  # empty: any industry
    regions: frozenset[str]  # empty: anywhere
    rate: float  # share of matching accounts enrolled (scaled by fit)
    start_days_ago: int
    end_days_ago: int


# fmt: off
CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        "Q3 FinServ Exec Dinner", "one_to_few", ("events", "direct_mail", "email"),
        frozenset({"Financial Services", "Insurance"}), frozenset(), 0.1, 210, 150,
    ),
    CampaignSpec(
        "Data Platform 1:many Ads", "one_to_many", ("ads", "web"),
        frozenset({"Financial Services", "Media", "Retail", "Software", "Telecommunications"}),
        frozenset(), 0.18, 330, 20,
    ),
    CampaignSpec(
        "Strategic Accounts 1:1 Program", "one_to_one",
        ("sdr_outreach", "direct_mail", "events", "email"), frozenset(), frozenset(), 0.008, 300, 0,
    ),
    CampaignSpec(
        "Healthcare Compliance Webinar Series", "one_to_many", ("webinars", "email"),
        frozenset({"Healthcare", "Insurance", "Pharmaceuticals"}), frozenset(), 0.15, 240, 60,
    ),
    CampaignSpec(
        "EMEA Manufacturing Roadshow", "one_to_few", ("events", "email"),
        frozenset({"Energy", "Logistics", "Manufacturing"}), frozenset({"EMEA"}), 0.12, 180, 120,
    ),
    CampaignSpec(
        "Retail Personalization Nurture", "one_to_many", ("email", "web"),
        frozenset({"Hospitality", "Media", "Retail"}), frozenset(), 0.15, 270, 10,
    ),
    CampaignSpec(
        "Cloud Summit Booth & Demo Theater", "one_to_many", ("events", "email"),
        frozenset({"Financial Services", "Software", "Telecommunications"}), frozenset(), 0.05, 125,
        110,
    ),
    CampaignSpec(
        "Q1 Pipeline Accelerator Direct Mail", "one_to_few", ("direct_mail", "sdr_outreach"),
        frozenset(), frozenset({"North America"}), 0.03, 95, 35,
    ),
)
# fmt: on
