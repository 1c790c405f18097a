"""Pure matching logic, no I/O: the pool and its lifecycle (`pool`), the rules about a pair
(`constraints`), the soft score (`scoring`, `text`, `availability`) and the global assignment
(`assignment`), over the values of `model`."""
