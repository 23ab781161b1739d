"""`rlsmed serve`: the pharmacists' page and the CDS Hooks service, a thin layer over the library.

config.py     the settings, checked (loopback unless callers are verified); no server imports
server.py     the listening socket and Uvicorn
app.py        the Starlette application: routes and middleware
http.py       security headers, the body limit, the access log, errors that quote nothing
page.py       GET / and POST /check (the HTML report), GET /kb pages; templates.py: their HTML
cds.py        CDS Hooks discovery, order-select and order-sign, feedback
hooks.py      the services and the calls they accept, read and checked
orders.py     screenings, on the event loop (they are short)
problems.py   RLS and Parkinson's disease on the problem list
cards.py      a card per flagged drug
fhir_client.py  searches of the CDS client's FHIR server when prefetch is missing
trust.py      JWT verification of CDS clients
refused.py    a request refused with a reason

The server stack (Starlette, Uvicorn, python-multipart; PyJWT to verify callers) is the optional extra
`serve` (and `jwt`), imported only by this package, which only `rlsmed serve` imports.
"""
