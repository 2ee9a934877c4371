// An M/M/1 queue on the hrtsim engine: Poisson arrivals, one exponential server.
import { Resource, Simulation, Tally, distribution } from "../src/engine/index.js";

const sim = new Simulation({ seed: 42 });
const arrivalGap = distribution({ dist: "exponential", mean: 100 }); // λ = 1/100 per tick
const service = distribution({ dist: "exponential", mean: 80 }); // μ = 1/80 per tick
const server = new Resource(sim, "server");
const wait = new Tally();

function* customer(): Generator<any, void, any> {
  const arrived = sim.now;
  yield server.request();
  wait.add(sim.now - arrived); // time in queue
  yield Math.round(service.sample(sim.streams.get("service")));
  server.release();
}
sim.process("arrivals", (function* () {
  for (let i = 0; i < 200_000; i++) {
    yield Math.round(arrivalGap.sample(sim.streams.get("arrivals")));
    sim.process(`customer ${i}`, customer());
  }
})());
const report = sim.run();
const rho = 80 / 100;
console.log(`mean wait ${wait.mean.toFixed(1)} ticks (theory ρ/(μ−λ) = ${(rho / (1 / 80 - 1 / 100)).toFixed(1)}),`,
  `${report.events} events, fingerprint ${report.fingerprint}`);
