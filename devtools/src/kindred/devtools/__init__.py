"""Developer tooling: the local platform, a demo, the benchmarks and the AsyncAPI export."""
