# TA Tracker: one image for web (gunicorn), worker and beat (celery).
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings but no secrets or database.
RUN DJANGO_ENV=build python manage.py collectstatic --no-input -v 0 \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tracker \
    && mkdir -p /app/var/documents /app/var/open-data && chown -R tracker /app/var
# (The volumes mounted there start with this owner: the app writes its files to them.)

USER tracker
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
