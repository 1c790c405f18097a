"""Partition ownership: one writer per document.

A replica owns the Kafka partitions its consumer group assigned it, and only the owner of a
partition writes the documents keyed into it. `log` fences a former owner, `changes` is what a
batch of work produces, `processor` is what a service implements, `consumer` runs it all.
"""
