"""neuroattn benchmarks: ``python -m benchmarks`` (or ``make bench``); see README.md."""
