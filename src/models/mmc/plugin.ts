/**
 * The example model: an M/M/c queue. Its mean waits are known in closed form (Erlang C), so
 * it proves the whole pipeline — scenario, runner, reports — before the kernel models.
 */
import { Schema } from "effect";
import { Resource, Simulation, Tally, TimeWeighted, distribution } from "../../engine/index.js";
import { failOnRunEnd, type ModelPlugin } from "../plugin.js";

const Positive = Schema.Finite.check(Schema.isGreaterThan(0));
const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));

export const MmcParams = Schema.Struct({
  /** λ: arrivals per time unit. */
  arrivalRate: Positive,
  /** μ: services per time unit, per server. */
  serviceRate: Positive,
  servers: PositiveInt,
  /** Customers measured after the warm-up. */
  customers: PositiveInt,
  warmup: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /** Engine ticks per time unit: delays are rounded to ticks, so keep this large. */
  ticksPerUnit: Schema.optional(PositiveInt),
});
export type MmcParams = typeof MmcParams.Type;

export const mmcModel: ModelPlugin<MmcParams> = {
  name: "mmc",
  description: "M/M/c queue: Poisson arrivals, c exponential servers, FIFO (the example model)",
  paramsSchema: MmcParams,
  experiments: [{ name: "queue", description: "serve customers and measure waits", metrics: ["wait", "response", "utilisation"] }],
  metrics: [
    { name: "wait", unit: "time units", description: "mean time in queue over the measured customers" },
    { name: "response", unit: "time units", description: "mean time in system over the measured customers" },
    { name: "utilisation", unit: "fraction", description: "time-averaged busy servers ÷ servers" },
  ],
  run({ params, seed, limits }) {
    const scale = params.ticksPerUnit ?? 1_000_000;
    const warmup = params.warmup ?? Math.ceil(params.customers / 10);
    const total = warmup + params.customers;
    const sim = new Simulation({ seed });
    const gap = distribution({ dist: "exponential", mean: scale / params.arrivalRate }, "arrival gap");
    const service = distribution({ dist: "exponential", mean: scale / params.serviceRate }, "service time");
    const arrivals = sim.streams.get("mmc/arrivals");
    const services = sim.streams.get("mmc/service");
    const servers = new Resource(sim, "servers", params.servers);
    const wait = new Tally();
    const response = new Tally();
    let busy: TimeWeighted | null = null;

    function* customer(i: number) {
      const arrived = sim.now;
      yield servers.request();
      if (i === warmup) {
        busy = new TimeWeighted(servers.busy, sim.now);
      }
      busy?.set(sim.now, servers.busy);
      const measured = i >= warmup;
      if (measured) wait.add((sim.now - arrived) / scale);
      yield Math.round(service.sample(services));
      servers.release();
      busy?.set(sim.now, servers.busy);
      if (measured) response.add((sim.now - arrived) / scale);
    }
    sim.process("arrivals", (function* () {
      for (let i = 0; i < total; i++) {
        sim.process(`customer ${i}`, customer(i));
        yield Math.round(gap.sample(arrivals));
      }
    })());
    const report = sim.run(limits);
    failOnRunEnd(report, { progress: `${response.count} of ${params.customers} customers done` });
    const util = busy === null ? 0 : (busy as TimeWeighted).average(sim.now) / params.servers;
    return {
      observations: [
        { metric: "wait", value: wait.mean },
        { metric: "response", value: response.mean },
        { metric: "utilisation", value: util },
      ],
      fingerprint: report.fingerprint,
      events: report.events,
      simTime: report.now,
    };
  },
};
