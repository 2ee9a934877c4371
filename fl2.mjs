import { Simulation } from "./dist/src/engine/index.js";
function floorRun(events, cpus, normalsPerEvent, mode) {
  const sim = new Simulation({ seed: "floor" });
  const rngs = Array.from({ length: cpus }, (_, i) => sim.streams.get(mode==="one"?"x":`floor/cpu${i}`));
  let left = events - cpus;
  const chains = [];
  for (let c = 0; c < cpus; c++) {
    const rng = rngs[c];
    let credit = 0;
    chains.push(() => {
      if (left-- <= 0) return;
      let delay = 1;
      for (credit += normalsPerEvent; credit >= 1; credit--) {
        let v;
        if (mode==="uni") v = 600 + 50*(rng.uniform()*3.4-1.7);
        else do v = 600 + 50 * rng.standardNormal(); while (!(v >= 300));
        delay += Math.round(v);
      }
      sim.callAt(delay, chains[c], c);
    });
    sim.callAt(c, chains[c], c);
  }
  const t0 = performance.now();
  sim.run({});
  return (performance.now() - t0) / 1e3;
}
for (const mode of ["normal","uni","one","normal","uni","one"]) console.log(mode, floorRun(8e6, 228, 2.186, mode).toFixed(3));
// tight
const s = new Simulation({seed:"x"}).streams.get("y"); let acc=0; let t0=performance.now(); for(let i=0;i<17.5e6;i++) acc+=s.standardNormal(); console.log("tight 17.5M normals", ((performance.now()-t0)/1e3).toFixed(3), acc>0);
