"""Partition ownership: one writer per document.

A replica owns the Kafka partitions its consumer group assigned it, and only the owner of a
partition writes the documents keyed into it. `log` fences a former owner; `store` is each
service's collections as typed stores, held in memory per owned partition with their timers;
`processor` is what a service implements and the batch's `Changes`, its one way to read and
change the tables; `consumer` runs it all.
"""
