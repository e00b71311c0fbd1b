"""Model kernels: pure functions over NumPy arrays, ensemble axis first."""
