;; Reductions in f64x2 lanes (src/tensor/kernels/wasm/reduce-wasm.ts loads this module). Every
;; result has the bits of the JavaScript kernels in reduce.ts: a sum's lanes are different runs
;; (leaves of the pairwise tree, or rows) or different output columns, each added in its own
;; order from +0, so no addition is regrouped; max is order-free (f64.max and f64x2.max give
;; NaN when either operand is, and +0 over -0, as Math.max does). Addresses are in bytes; the
;; host copies the input in, and float32 data is widened to float64 first (exactly).
(module
  ;; the host's memory, big enough for the operands and results (never grown: the host makes
  ;; a bigger one and instantiates the module again, see instance.ts)
  (import "env" "memory" (memory 1))

  ;; Sums of `count` runs of `len` doubles, run k at src + k*step, each from +0 left to
  ;; right, into dst + k*dstStep. Eight runs at once: lane pairs (k, k+1) ... (k+6, k+7) of
  ;; four accumulators, so four chains of additions overlap.
  (func (export "sumRuns") (param $src i32) (param $step i32) (param $len i32) (param $count i32)
    (param $dst i32) (param $dstStep i32)
    (local $k i32) (local $p i32) (local $end i32) (local $q i32) (local $s f64)
    (local $o2 i32) (local $o4 i32) (local $o6 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $o2 (i32.shl (local.get $step) (i32.const 1)))
    (local.set $o4 (i32.shl (local.get $step) (i32.const 2)))
    (local.set $o6 (i32.add (local.get $o4) (local.get $o2)))
    (block $groups_done
      (loop $groups
        (br_if $groups_done (i32.gt_u (i32.add (local.get $k) (i32.const 8)) (local.get $count)))
        (local.set $p (i32.add (local.get $src) (i32.mul (local.get $k) (local.get $step))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $len) (i32.const 3))))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (loop $steps
          (local.set $q (i32.add (local.get $p) (local.get $step)))
          (local.set $a0 (f64x2.add (local.get $a0)
            (v128.load64_lane 1 (local.get $q) (v128.load64_zero (local.get $p)))))
          (local.set $q (i32.add (local.get $p) (local.get $o2)))
          (local.set $a1 (f64x2.add (local.get $a1)
            (v128.load64_lane 1 (i32.add (local.get $q) (local.get $step))
              (v128.load64_zero (local.get $q)))))
          (local.set $q (i32.add (local.get $p) (local.get $o4)))
          (local.set $a2 (f64x2.add (local.get $a2)
            (v128.load64_lane 1 (i32.add (local.get $q) (local.get $step))
              (v128.load64_zero (local.get $q)))))
          (local.set $q (i32.add (local.get $p) (local.get $o6)))
          (local.set $a3 (f64x2.add (local.get $a3)
            (v128.load64_lane 1 (i32.add (local.get $q) (local.get $step))
              (v128.load64_zero (local.get $q)))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $steps (i32.lt_u (local.get $p) (local.get $end))))
        (local.set $q (i32.add (local.get $dst) (i32.mul (local.get $k) (local.get $dstStep))))
        (f64.store (local.get $q) (f64x2.extract_lane 0 (local.get $a0)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 1 (local.get $a0)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 0 (local.get $a1)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 1 (local.get $a1)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 0 (local.get $a2)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 1 (local.get $a2)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 0 (local.get $a3)))
        (local.set $q (i32.add (local.get $q) (local.get $dstStep)))
        (f64.store (local.get $q) (f64x2.extract_lane 1 (local.get $a3)))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $groups)))
    ;; the last runs (fewer than eight) one at a time
    (block $rest_done
      (loop $rest
        (br_if $rest_done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $p (i32.add (local.get $src) (i32.mul (local.get $k) (local.get $step))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $len) (i32.const 3))))
        (local.set $s (f64.const 0))
        (loop $steps
          (local.set $s (f64.add (local.get $s) (f64.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (br_if $steps (i32.lt_u (local.get $p) (local.get $end))))
        (f64.store (i32.add (local.get $dst) (i32.mul (local.get $k) (local.get $dstStep)))
          (local.get $s))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rest))))

  ;; dst[o, i] = +0 + src[o, 0, i] + src[o, 1, i] + ... over `outer` blocks of r rows of
  ;; `inner` doubles (max = 0), or the running maximum from -inf (max = 1): whole rows added
  ;; into the output row, two columns a lane pair, so each column keeps its order.
  (func (export "columns") (param $src i32) (param $outer i32) (param $r i32) (param $inner i32)
    (param $dst i32) (param $max i32)
    (local $o i32) (local $j i32) (local $q i32) (local $rowEnd i32) (local $end2 i32)
    (local $init f64) (local $v v128)
    (local.set $init (select (f64.const -inf) (f64.const 0) (local.get $max)))
    (local.set $v (f64x2.splat (local.get $init)))
    (block $outer_done
      (loop $blocks
        (br_if $outer_done (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $rowEnd (i32.add (local.get $dst) (i32.shl (local.get $inner) (i32.const 3))))
        (local.set $end2 (i32.sub (local.get $rowEnd) (i32.const 8)))
        (local.set $q (local.get $dst))
        (block $filled
          (loop $fill
            (br_if $filled (i32.ge_u (local.get $q) (local.get $rowEnd)))
            (f64.store (local.get $q) (local.get $init))
            (local.set $q (i32.add (local.get $q) (i32.const 8)))
            (br $fill)))
        (local.set $j (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $j) (local.get $r)))
            (local.set $q (local.get $dst))
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.ge_u (local.get $q) (local.get $end2)))
                (v128.store (local.get $q)
                  (if (result v128) (local.get $max)
                    (then (f64x2.max (v128.load (local.get $q)) (v128.load (local.get $src))))
                    (else (f64x2.add (v128.load (local.get $q)) (v128.load (local.get $src))))))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (local.set $src (i32.add (local.get $src) (i32.const 16)))
                (br $pairs)))
            (if (i32.lt_u (local.get $q) (local.get $rowEnd))
              (then
                (f64.store (local.get $q)
                  (if (result f64) (local.get $max)
                    (then (f64.max (f64.load (local.get $q)) (f64.load (local.get $src))))
                    (else (f64.add (f64.load (local.get $q)) (f64.load (local.get $src))))))
                (local.set $src (i32.add (local.get $src) (i32.const 8)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $rows)))
        (local.set $dst (local.get $rowEnd))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $blocks))))

  ;; dst[o] = the maximum of row o (`r` doubles at src + o*r*8), from -inf: max is
  ;; order-free, so neighbouring elements share a lane pair and eight pairs run at once (the
  ;; engine's f64x2.max is several instructions long, and four chains left it waiting).
  (func (export "maxRows") (param $src i32) (param $outer i32) (param $r i32) (param $dst i32)
    (local $o i32) (local $end i32) (local $m f64)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local $m4 v128) (local $m5 v128) (local $m6 v128) (local $m7 v128)
    (block $outer_done
      (loop $rows
        (br_if $outer_done (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $end (i32.add (local.get $src) (i32.shl (local.get $r) (i32.const 3))))
        (local.set $m0 (f64x2.splat (f64.const -inf)))
        (local.set $m1 (local.get $m0))
        (local.set $m2 (local.get $m0))
        (local.set $m3 (local.get $m0))
        (local.set $m4 (local.get $m0))
        (local.set $m5 (local.get $m0))
        (local.set $m6 (local.get $m0))
        (local.set $m7 (local.get $m0))
        (block $eights_done
          (loop $eights
            (br_if $eights_done (i32.gt_u (i32.add (local.get $src) (i32.const 128)) (local.get $end)))
            (local.set $m0 (f64x2.max (local.get $m0) (v128.load (local.get $src))))
            (local.set $m1 (f64x2.max (local.get $m1) (v128.load offset=16 (local.get $src))))
            (local.set $m2 (f64x2.max (local.get $m2) (v128.load offset=32 (local.get $src))))
            (local.set $m3 (f64x2.max (local.get $m3) (v128.load offset=48 (local.get $src))))
            (local.set $m4 (f64x2.max (local.get $m4) (v128.load offset=64 (local.get $src))))
            (local.set $m5 (f64x2.max (local.get $m5) (v128.load offset=80 (local.get $src))))
            (local.set $m6 (f64x2.max (local.get $m6) (v128.load offset=96 (local.get $src))))
            (local.set $m7 (f64x2.max (local.get $m7) (v128.load offset=112 (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 128)))
            (br $eights)))
        (local.set $m0 (f64x2.max (local.get $m0) (local.get $m4)))
        (local.set $m1 (f64x2.max (local.get $m1) (local.get $m5)))
        (local.set $m2 (f64x2.max (local.get $m2) (local.get $m6)))
        (local.set $m3 (f64x2.max (local.get $m3) (local.get $m7)))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $src) (i32.const 16)) (local.get $end)))
            (local.set $m0 (f64x2.max (local.get $m0) (v128.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (br $pairs)))
        (local.set $m0 (f64x2.max (f64x2.max (local.get $m0) (local.get $m1))
          (f64x2.max (local.get $m2) (local.get $m3))))
        (local.set $m (f64.max (f64x2.extract_lane 0 (local.get $m0))
          (f64x2.extract_lane 1 (local.get $m0))))
        (if (i32.lt_u (local.get $src) (local.get $end))
          (then
            (local.set $m (f64.max (local.get $m) (f64.load (local.get $src))))
            (local.set $src (local.get $end))))
        (f64.store (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 3))) (local.get $m))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $rows))))

  ;; `n` floats at src widened to doubles at dst (exact; the regions must not overlap).
  (func (export "widen") (param $src i32) (param $n i32) (param $dst i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $src) (i32.const 8)) (local.get $end)))
        (v128.store (local.get $dst) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $pairs)))
    (if (i32.lt_u (local.get $src) (local.get $end))
      (then (f64.store (local.get $dst) (f64.promote_f32 (f32.load (local.get $src)))))))
)
