"""Scripts run inside the peer venvs (.bench-venvs/<peer>); they import only numpy and the peer."""
