# Lentera production image: PostgreSQL via LENTERA_DATABASE_URL, secrets via LENTERA_SECRET_KEY.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LENTERA_ENV=production LENTERA_DATA_DIR=/srv/lentera/var LENTERA_CONTENT_DIR=/srv/lentera/content

RUN groupadd --system lentera && useradd --system --gid lentera --home /srv/lentera lentera
WORKDIR /srv/lentera

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
# The trainers' format guide is served at /pengajar/panduan: ship it inside the package.
COPY docs/content-format.md ./app/content/guide/content-format.md
COPY migrations ./migrations
RUN pip install --no-deps . && mkdir -p var && chown lentera:lentera var
COPY content ./content
COPY docker/entrypoint.sh /usr/local/bin/lentera-entrypoint
COPY docker/healthcheck.py /usr/local/bin/lentera-healthcheck

USER lentera
# The entrypoint serves on $PORT (default 8000) and the health check asks the same port.
# No VOLUME: the image is meant for PostgreSQL, and the entrypoint refuses to start in
# production without LENTERA_DATABASE_URL (an SQLite file must be on a mounted volume).
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "/usr/local/bin/lentera-healthcheck"]
ENTRYPOINT ["lentera-entrypoint"]
