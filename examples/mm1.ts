// An M/M/1 queue on the hrtsim engine: Poisson arrivals (λ = 1/100), one exponential server (μ = 1/80).
import { Resource, Simulation, Tally, distribution } from "hrtsim";

const sim = new Simulation({ seed: 42 });
const gap = distribution({ dist: "exponential", mean: 100 }), service = distribution({ dist: "exponential", mean: 80 });
const server = new Resource(sim, "server");
const wait = new Tally();
function* customer() {
  const arrived = sim.now;
  yield server.request(); // queue for the server
  wait.add(sim.now - arrived);
  yield Math.round(service.sample(sim.streams.get("service"))); // hold it for a service time
  server.release();
}
sim.process("arrivals", (function* () {
  for (let i = 0; i < 200_000; i++) {
    yield Math.round(gap.sample(sim.streams.get("arrivals")));
    sim.process(`customer ${i}`, customer());
  }
})());
const { events, fingerprint } = sim.run();
console.log(`mean wait ${wait.mean.toFixed(1)} ticks (theory ρ/(μ−λ) = ${(0.8 / (1 / 80 - 1 / 100)).toFixed(1)}), ${events} events, fingerprint ${fingerprint}`);
