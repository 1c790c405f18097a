"""Developer tooling: the local platform, a demo, the benchmark and the AsyncAPI export."""
