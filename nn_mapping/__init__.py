"""nn_mapping: compile JAX functions onto simulated optical hardware and price them."""
