"""Benchmark of the matching engine on synthetic populations with a hidden ground truth.

    python -m kindred.devtools.bench.engine [--quick] [--requests 10000] [--supporters 10000]
                                            [--sizes 1000,10000,50000] [--seed N] [--k K]

Each person gets hidden "experience themes" (a sparse mix over a dozen themes such as
night-shifts or hospital stays) that shape both the free text they write (words drawn from the
themes' vocabularies, among common filler words) and how well two people would actually get on:
the hidden affinity of a pair mixes the share of the seeker's topics the supporter covers, how
close their themes are, and how well their true hours overlap (which a tenth of members never
told us: the engine sees "any time"). The engine never sees themes or the affinity, only topics,
text and declared hours, so its score is correlated with the affinity, not equal to it.

Languages are skewed (en 60%, es 20%, fr 8%, ...; some supporters speak two or three), topic
popularity is Zipf-like, a few people are minors and a few supporters cleared for minors, hours
come from time zones and weekly habits, each request excludes about two supporters of its
language (blocks, declines), a few seekers are also supporters (the self rule), 7% of requests
are urgent, capacities are 1 to 4 (mean about 2) and some supporters are already busy.

Four populations: "ample" (more free slots than requests); "scarce" (free slots about 0.57
times the requests; as every supporter the engine sees has a free slot, that means fewer
supporters); "oversubscribed" (as ample, but a third of the requests are about job loss, alone
or with one other topic, which few supporters cover: the requests that share a second topic
rank the job-loss supporters first, though only the others need them); and "identical" (every
request alike but for its wait: same words, topic, hours, language and age band, as a template
would write them; a quarter of the requests against half the supporters, as every request is
eligible for the same few thousand supporters, which makes the optimum's graph large). On each,
four methods are compared: the engine (`assign`); first-available (in
arrival order, each request takes the first eligible supporter with room, supporters in id
order); greedy best-per-request (in arrival order, each takes its best-scored eligible
supporter with room); and the exact optimum of the engine's objective on the full eligibility
graph (`optimum`). Every proposal of every method is checked against `constraints.violation`
and the supporters' room.

Under each table: the requests the engine and the optimum matched (the engine's exact pass
makes them equal), the engine's objective short of the optimum's, and both times.

Columns: the hidden affinity summed over the proposals, as a share of the optimum's and as a
multiple of first-available's; the objective (after matches and urgent matches: scores plus
soft priorities less slot costs, `assignment.objective`) as a share of the optimum's; the share
of requests and of urgent requests matched; violations (of the pair rules, and slots over
capacity); the spread of the supporters' load (standard deviation of load / capacity after the
proposals); seconds (for the two baselines, their loops only: the scores of all eligible pairs,
which they share, are computed beforehand).

A timing table then times the engine's stages for growing numbers of open requests against the
same supporters, with the peak memory they add (resident size, numpy and OR-Tools included).

Modules: `populations` (the synthetic populations and their hidden affinity), `baselines` (the
two arrival-order methods), `report` (the measures, the comparison, the timing and the tables).
"""
