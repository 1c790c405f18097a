"""Dead letters for operators: list what sits in `<topic>.dlt`, re-drive chosen ones.

`python -m kindred.deadletters list [TOPIC ...]` and `... redrive TOPIC --offset P:O` (see
`--help`). Kafka comes from `KAFKA_BOOTSTRAP_SERVERS`, topics from `KINDRED_NAMESPACE`.

Reading joins no consumer group and commits nothing: each partition is assigned by hand and
read from its first offset up to the end offset taken at the start, then the reader stops.

A re-drive publishes the dead letter's key, value and original headers (without the
`kindred-dlt-*` ones, with `kindred-redriven-from: <dlt topic>/<partition>/<offset>`) to its
origin topic and partition, acks=all, and waits for the acks. Consumers skip an event id they
applied recently, but only recently and only in memory; so the command also records each
re-drive, once acknowledged, in the compacted topic `<namespace>.deadletters.redriven` (keyed
by the dead letter) and skips a dead letter found there unless `--force` is given.

Modules: `model` (the dead letters and the choices made about them, no Kafka), `kafka` (reading
and re-driving on Kafka), `cli` (the arguments, what is printed, the exit statuses);
`__main__` is the entry point.
"""
