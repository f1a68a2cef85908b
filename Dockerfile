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
COPY migrations ./migrations
RUN pip install --no-deps . && mkdir -p var && chown lentera:lentera var
COPY content ./content
COPY docker/entrypoint.sh /usr/local/bin/lentera-entrypoint

USER lentera
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
ENTRYPOINT ["lentera-entrypoint"]
