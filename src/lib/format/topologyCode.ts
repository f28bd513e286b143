import type {Topology} from '../blocks/topology.js'
import {erasure, mirror, SINGLE} from '../blocks/topology.js'
import {isShmrError} from '../errors.js'

/** The topology field of a shard name: `s`, `m<copies>` or `e<data>p<parity>`. */
export function describeTopologyCode(topology: Topology): string {
  switch (topology.kind) {
    case 'single': return 's'
    case 'mirror': return `m${topology.copies}`
    case 'erasure': return `e${topology.data}p${topology.parity}`
  }
}

export function parseTopologyCode(code: string): Topology | undefined {
  try {
    if (code === 's') return SINGLE
    const mirrorMatch = /^m([1-9]\d*)$/.exec(code)
    if (mirrorMatch) return mirror(Number(mirrorMatch[1]))
    const erasureMatch = /^e([1-9]\d*)p([1-9]\d*)$/.exec(code)
    if (erasureMatch) return erasure(Number(erasureMatch[1]), Number(erasureMatch[2]))
  } catch (error) {
    if (!isShmrError(error)) throw error
  }
  return undefined
}
