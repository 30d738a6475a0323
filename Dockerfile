# One image for every polc process; the command picks what runs (see docker-compose.yml).
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home polc
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts contracts
COPY services services
COPY polc polc
COPY backoffice backoffice
RUN pip install --no-cache-dir .
USER polc
ENTRYPOINT ["polc"]
