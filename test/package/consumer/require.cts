// The CommonJS side of test/package/package.test.ts: `require('fluxion')` of the ESM-only
// package, which Node 20.19+ and 22.12+ load with require(esm). Compiled by tsc to require.cjs.
const fluxion: typeof import('fluxion') = require('fluxion')
const optim: typeof import('fluxion/optim') = require('fluxion/optim')

const cube = (x: number) => fluxion.mul(x, fluxion.mul(x, x))
console.log(
  JSON.stringify({
    gradOfGrad: fluxion.grad(fluxion.grad(cube))(2),
    sgd: typeof optim.sgd,
  }),
)
