"""The GitHub adapter: PyGithub transport, rate-limit policy, fetchers that yield plain records."""
