from kindred.messaging.deadletter import DependencyBackoff


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    policy = DependencyBackoff(attempts=6, backoff_base=0.1, backoff_max=1.0)
    for attempt, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (6, 1.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered
