/**
 * The cache-line floor of the ROS/HRT core pair: a ping-pong on two flag lines, each written
 * by one side (a store upgrades the line the other side read; a spin misses it), with no VMM
 * and no loop work — the least any cross-core call between these cores can cost.
 */
import type { Gen } from "../kernel/types.js";
import { SharedWord } from "./hvm.js";
import type { VCore } from "./vmm.js";
import type { World } from "./world.js";

export interface PingPong {
  /** Starts the HRT core's responder for `rounds` rounds (a process on the simulation). */
  start(rounds: number): void;
  /** One round from the ROS core: store the ping, spin until the pong comes back. */
  round(core: VCore): Gen<void>;
}

export function pingPong(w: World): PingPong {
  const h = w.hvm, hrt = h.hrt[0]!, ros = h.ros[0]!;
  const miss = (from: number, to: number) => h.syncMiss(from, to);
  const ping = new SharedWord(h, "ping flag", miss), pong = new SharedWord(h, "pong flag", miss);
  let sent = 0;
  return {
    start(rounds) {
      w.sim.process("HRT ping-pong responder", (function* (): Gen<void> {
        for (let i = 1; i <= rounds; i++) {
          yield* ping.spinUntil(hrt, (v) => v === i);
          yield* h.vmm.guest(hrt, "HRT: store the pong flag (upgrade)", h.syncUpgrade(hrt, ros) + h.hw("store", hrt));
          pong.publish(hrt, i);
        }
      })());
    },
    *round(core) {
      const want = ++sent;
      yield* h.vmm.guest(core, "ROS: store the ping flag (upgrade)", h.syncUpgrade(core, hrt) + h.hw("store", core));
      ping.publish(core, want);
      yield* pong.spinUntil(core, (v) => v === want);
    },
  };
}
