-- Tenant roles need the schema's USAGE to name the tables they were granted (the schema is not
-- usable by PUBLIC here).
GRANT USAGE ON SCHEMA public TO coachai_tenant;
