"""nn: neural networks built from autograd_lite Values (filled in by the nn issue)."""
