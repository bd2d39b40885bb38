"""Getting an installation started: reviewbot init, the start-up checks, reviewbot doctor."""
