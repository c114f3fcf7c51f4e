# One image for web, worker and beat (cookiecutter-django's layout); each runs a Makefile target.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml Makefile ./
RUN make setup
COPY . .
RUN touch .venv/.installed
EXPOSE 8000
CMD ["make", "web"]
