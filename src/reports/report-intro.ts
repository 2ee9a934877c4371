/**
 * The report's opening: the paper hrtsim reproduces, what it reproduces and how, and how to
 * read a verdict. Markdown, rendered by both renderers. Facts from the paper's abstract only
 * (the paper's figure values are not available, and none is quoted).
 */
export const PAPER = {
  authors: "Kyle C. Hale and Peter A. Dinda",
  title: "Enabling Hybrid Parallel Runtimes Through Kernel and Virtualization Support",
  venue: "VEE 2016 (ACM SIGPLAN/SIGOPS International Conference on Virtual Execution Environments), pp. 161–175",
} as const;

export const INTRO_MARKDOWN = `## About this report

**The paper.** ${PAPER.authors}, "${PAPER.title}", ${PAPER.venue}. A *hybrid runtime* (HRT) fuses a
parallel runtime and its application into one kernel-mode OS built on the **Nautilus Aerokernel**;
the **Hybrid Virtual Machine** (an extension of the Palacios VMM) runs such an HRT beside a Linux
"regular OS" in one VM. The abstract claims that Aerokernel primitives are up to two orders of
magnitude faster than the related Linux primitives and vary much less; that an HRT boots in a time
comparable to a Linux process start-up; and that HRT functions can be invoked from the Linux process
with latencies not much higher than a function call.

**What hrtsim reproduces, and how.** Each scenario re-runs one of the authors' benchmarks, as their
harness designed it, in a deterministic discrete-event simulation of the mechanisms (Nautilus,
Linux, Palacios HVM) step by step, as the paper-era source code performs them. Every cost a step
charges is a parameter with a source: a published measurement of that cost, the host harness
(\`hrtsim measure\`) or a stated assumption (\`hrtsim params\` lists them). The paper's own figure
values are not available to this project, so no number here is the paper's: the figures are what
the modelled mechanisms and sourced costs produce, and the claims test the paper's qualitative
statements against them.

**How to read PASS and FAIL.** A claim's verdict is computed from the simulated observations of its
scenario (the statistic, value and threshold are shown beside it); nothing is written in.
**PASS** means the simulated data satisfy the claim as stated. **FAIL** means they do not: under
the modelled mechanisms and sourced costs, the claim does not follow — a finding to examine (a cost
source, a missing mechanism, or a claim that depends on the paper's particular hardware), not a
crash. A claim that could not be evaluated (no data, e.g. all its runs failed) is a FAIL with the
reason beside it. Failed runs are listed in their scenario's section; a figure whose sweep lost
points says so in its caption.`;
