/**
 * Processes in the Linux model beyond fork (kernel.ts): execve of a small dynamically linked
 * program with what runs before its main() — ld.so's system calls and relocations, the page
 * faults of loading, libc initialisation — and wait4. Costs are the proc.* parameters.
 */
import type { Thread } from "../kernel/objects.js";
import type { Gen } from "../kernel/types.js";
import type { LinuxOps } from "./sync.js";

export const PROCESS_PARAMETERS = [
  "proc.exec", "proc.ldsoSyscalls", "proc.ldsoSyscallBody", "proc.relocations", "proc.relocationCost", "proc.pageFaults",
  "proc.libcInit", "proc.exit",
] as const;

function* sys(k: LinuxOps, t: Thread, name: string, body: string, cycles: number): Gen<void> {
  yield* k.steps(t, [[`syscall entry (${name})`, k.cost("syscall.entry", t.cpu)], [body, cycles], [`syscall exit (${name})`, k.cost("syscall.exit", t.cpu)]]);
}

/** The user-level work is plain computation (work steps): noise and interrupts stretch it. */
export function* execProgram(k: LinuxOps, t: Thread): Gen<void> {
  yield* sys(k, t, "execve", "execve: load the ELF, new mm, map segments", k.cost("proc.exec", t.cpu));
  const calls = k.setting("proc.ldsoSyscalls");
  for (let i = 0; i < calls; i++) yield* sys(k, t, "ld.so: open/mmap/mprotect/...", "system call body", k.cost("proc.ldsoSyscallBody", t.cpu));
  const faults = k.setting("proc.pageFaults");
  let faultCycles = 0;
  for (let i = 0; i < faults; i++) faultCycles += k.cost("pagefault", t.cpu);
  yield* k.steps(t, [[`page faults of loading (${faults})`, faultCycles]]);
  const relocations = k.setting("proc.relocations");
  yield* k.steps(t, [[`ld.so: ${relocations} relocations`, relocations * k.cost("proc.relocationCost", t.cpu)]]);
  yield* k.steps(t, [["__libc_start_main: TLS, ifuncs, stdio, constructors", k.cost("proc.libcInit", t.cpu)]]);
}

/** wait4: sleep until the child has exited, then reap it (wait-queue costs as futex_wait's). */
export function* waitProcess(k: LinuxOps, t: Thread, child: Thread): Gen<void> {
  const c = t.cpu;
  yield* k.steps(t, [["syscall entry (wait4)", k.cost("syscall.entry", c)], ["wait4: look for a zombie child", k.cost("futex.waitBody", c)]]);
  if (!child.exitSignalled) {
    child.joiners.push(t);
    yield* k.block(t);
    yield* k.steps(t, [["wait4: woken, reap the zombie", k.cost("futex.waitReturn", t.cpu)]]);
  }
  yield* k.steps(t, [["syscall exit (wait4)", k.cost("syscall.exit", t.cpu)]]);
}
