-- wrk: GET with TAXII headers (env AUTH).
wrk.headers["Accept"] = "application/taxii+json;version=2.1"
wrk.headers["Authorization"] = os.getenv("AUTH") or ""
