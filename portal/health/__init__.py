"""Health check for load balancers and the load test's bare-Flask baseline."""
