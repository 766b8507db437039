FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml .
RUN pip install --no-cache-dir uv && uv pip install --system -r pyproject.toml
COPY . .
ENV DJANGO_SETTINGS_MODULE=ror.settings STATIC_ROOT=/app/staticfiles PYTHONUNBUFFERED=1
# Static files hashed and compressed at build time (WhiteNoise serves them); these values only
# let the settings load here, without a database: the real ones come from .env at run time.
RUN DEBUG=0 ALLOWED_HOSTS=build SECRET_KEY=construction-de-l-image-seulement-jamais-utilisee-en-service \
    DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput -v 0
RUN useradd --system --home /app ror && mkdir -p /app/media /app/var && chown ror /app/media /app/var
USER ror
EXPOSE 8000
