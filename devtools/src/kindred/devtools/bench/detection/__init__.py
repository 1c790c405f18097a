"""Crisis detection measured on labelled check-ins kept here (`cases.jsonl`): what the check-ins
service's safety rules raise an alert for, per category of the published warning signs (the
C-SSRS ladder, self-harm, farewells, burden, feeling trapped, the instruments) and per kind of
statement that must not page anyone (negation, the past, someone else, prevention and news,
idioms, calm answers).

    .venv/bin/python -m kindred.devtools.bench.detection

Each case goes through the very function the service runs for a check-in
(`kindred.checkins.domain.safety.check_in`), with the member's earlier scores when the case
gives them. It prints recall per warning-sign category, false alerts per calm category, the
overall figures, and every miss and every false alert with its text. A benchmark, not a test:
it asserts nothing and exits 0.
"""
