/* hrtsim native harness: the tiny program started by the fork-exec and posix-spawn
 * experiments. It does nothing and exits 0 (process start-up is all that is timed). */
int main(void) { return 0; }
