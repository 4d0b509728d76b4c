"""Small micrograd-style engines for the conformance kit's own tests: one correct iterative
engine and planted-bug variants of it, each with one bug students really write."""
