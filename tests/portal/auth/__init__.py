"""Tests of log-in, sessions, second factor and OpenID Connect."""
