// Reads a TF.js graph model (model.json with a GraphDef topology + a weights manifest and its
// .bin shards) into plain nodes and constant tensors, without TensorFlow itself.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TfAttrValue {
  s?: string; // base64
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { i?: string[]; s?: string[]; f?: number[] };
  shape?: unknown;
  tensor?: unknown;
}
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}
export type ConstData = Float32Array | Int32Array;
export interface ConstTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: ConstData;
}
export interface TfGraph {
  nodes: TfNode[];
  consts: Map<string, ConstTensor>;
  inputs: Array<{ name: string; shape: number[] }>;
  /** Signature output names ("Identity_2:0") in a stable order. */
  outputs: string[];
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; original_dtype?: string; scale?: number; min?: number };
}
interface ModelJson {
  format: string;
  signature?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  modelTopology: { node: TfNode[] };
  weightsManifest: Array<{ paths: string[]; weights: WeightEntry[] }>;
}

/** IEEE 754 half precision to single precision. */
export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decodeWeight(entry: WeightEntry, bytes: Buffer, offset: number): { tensor: ConstTensor; size: number } {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  if (q) {
    if (q.dtype !== 'float16' || entry.dtype !== 'float32') {
      throw new Error(`weight ${entry.name}: unsupported quantization ${q.dtype} of ${entry.dtype}`);
    }
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = float16ToFloat32(bytes.readUInt16LE(offset + 2 * i));
    return { tensor: { dtype: 'float32', shape: entry.shape, data }, size: 2 * count };
  }
  const copy = bytes.subarray(offset, offset + 4 * count);
  const aligned = new ArrayBuffer(4 * count);
  new Uint8Array(aligned).set(copy);
  if (entry.dtype === 'float32') return { tensor: { dtype: 'float32', shape: entry.shape, data: new Float32Array(aligned) }, size: 4 * count };
  if (entry.dtype === 'int32') return { tensor: { dtype: 'int32', shape: entry.shape, data: new Int32Array(aligned) }, size: 4 * count };
  throw new Error(`weight ${entry.name}: unsupported dtype ${entry.dtype}`);
}

function shapeFromAttr(attr: TfAttrValue | undefined): number[] {
  const dims = (attr?.shape as { dim?: Array<{ size: string }> } | undefined)?.dim ?? [];
  return dims.map((d) => Number(d.size));
}

export function loadTfjsGraph(modelJsonPath: string): TfGraph {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  if (json.format !== 'graph-model') throw new Error(`${modelJsonPath}: not a TF.js graph model (format ${json.format})`);
  const consts = new Map<string, ConstTensor>();
  for (const group of json.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))));
    let offset = 0;
    for (const entry of group.weights) {
      const { tensor, size } = decodeWeight(entry, bytes, offset);
      consts.set(entry.name, tensor);
      offset += size;
    }
    if (offset !== bytes.length) throw new Error(`${modelJsonPath}: weights manifest covers ${offset} of ${bytes.length} bytes`);
  }
  const nodes = json.modelTopology.node;
  const inputs = nodes
    .filter((n) => n.op === 'Placeholder')
    .map((n) => ({ name: n.name, shape: shapeFromAttr(n.attr?.shape) }));
  const outputs = Object.keys(json.signature?.outputs ?? {}).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { nodes, consts, inputs, outputs };
}
