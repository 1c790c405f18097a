"""Crisis detection measured on labelled check-ins kept here, in two sets:

- `cases.jsonl` (dev): the set the rules are tuned against;
- `holdout.jsonl`: different phrasings kept back (the rules are never tuned on it), reported
  separately to show how the rules generalise.

Each row is one check-in: `{"category", "alert", "review"?, "checkin", "history"?}`. `alert` is
what a human reader expects (page someone, or not); `review: true` marks a statement that must
not page anyone but needs a staff review (someone else's crisis, the member's past). The
categories are the published warning signs (the C-SSRS ladder: wish to be dead, ideation,
method, intent, plan, timing, preparation; self-harm, farewells, being a burden, feeling
trapped, a place or means plus not coming back; the instruments; declines over the member's
history), the two review kinds, and the kinds of statement that must not page anyone (idioms,
negation, hypotheticals, prevention and news, grief for someone else, the physical "dead",
everyday notes, calm instrument answers).

    .venv/bin/python -m kindred.devtools.bench.detection [--set dev|holdout|all] [--json]

Each case goes through the very function the service runs for a check-in
(`kindred.checkins.domain.safety.check_in`), with the member's earlier scores when the case
gives them. It prints, per set, recall per warning-sign category, reviews per review category,
false alerts per calm category, the overall figures against their targets, and every miss and
every false alert with its text and the rules that fired. A benchmark, not a test: it asserts
nothing and exits 0.
"""
