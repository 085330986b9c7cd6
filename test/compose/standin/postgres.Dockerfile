# Stand-in for the official postgres image: Debian's PostgreSQL 15, configured from the same
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB variables, data in /var/lib/postgresql/data.
FROM weir-standin/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /var/run/postgresql && chown postgres /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/
EXPOSE 5432
ENTRYPOINT ["bash", "/usr/local/bin/postgres-entrypoint.sh"]
