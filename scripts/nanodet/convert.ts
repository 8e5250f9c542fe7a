// Converts a TF.js graph model (as read by tfjs-graph.ts) into an ONNX model, op by op.
// TF convolutions are NHWC; ONNX's are NCHW. Each Conv2D/MaxPool/Resize is therefore wrapped in a
// pair of Transposes, and a clean-up pass then cancels the Transposes that meet their inverse
// (this graph came from ONNX through onnx-tf, so most of them do) and folds the bias Add into the
// Conv. Ops whose inputs are all constants (the shape arithmetic onnx-tf leaves behind) are
// evaluated here. Any op outside the mapped set stops the conversion with its name.
import type { ConstTensor, TfAttrValue, TfGraph, TfNode } from './tfjs-graph.ts';
import {
  AttributeType,
  DataType,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  tensorValueInfo,
} from './onnx-proto.ts';

export const OPSET = 18;
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

type Value = { kind: 'const'; tensor: ConstTensor } | { kind: 'tensor'; name: string };

export interface ConvertOptions {
  /** Output shapes by signature name ("Identity:0" → [1, 2704, 80]). */
  outputShapes?: Record<string, number[]>;
  metadata?: Record<string, string>;
  producerVersion?: string;
  /**
   * Network input side to build for (multiple of 32). The TF.js graph is fixed at 416: its input
   * shape, the FPN's upsampling sizes and the head's Reshapes to [1, cells, k] are constants, so a
   * model for another side is the same weights with those constants rescaled (NanoDet is fully
   * convolutional; only the constants know the size).
   */
  inputSize?: number;
}

/** The side the TF.js export of NanoDet-g was made for. */
export const SOURCE_INPUT_SIZE = 416;

function attrString(v: TfAttrValue | undefined): string | undefined {
  return v?.s === undefined ? undefined : Buffer.from(v.s, 'base64').toString('utf8');
}
function attrInts(v: TfAttrValue | undefined): number[] {
  return (v?.list?.i ?? []).map(Number);
}
const intAttr = (name: string, i: number): OnnxAttribute => ({ name, type: AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints });
const floatAttr = (name: string, f: number): OnnxAttribute => ({ name, type: AttributeType.FLOAT, f });
const stringAttr = (name: string, s: string): OnnxAttribute => ({ name, type: AttributeType.STRING, s: Buffer.from(s, 'utf8') });

/** "node" and "node:0" name the same tensor; "^node" is a control edge. */
export function normaliseRef(ref: string): string {
  return ref.includes(':') ? ref : `${ref}:0`;
}

class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private counter = 0;

  unique(base: string): string {
    return `${base}__${this.counter++}`;
  }
  node(op_type: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name?: string): void {
    this.nodes.push({ name: name ?? this.unique(op_type), op_type, input, output, attribute });
  }
  initializer(base: string, tensor: ConstTensor, as: 'float32' | 'int64' = tensor.dtype === 'float32' ? 'float32' : 'int64'): string {
    const name = this.unique(base);
    let raw: Uint8Array;
    if (as === 'float32') {
      raw = new Uint8Array(Float32Array.from(tensor.data).buffer);
    } else {
      raw = new Uint8Array(BigInt64Array.from(Array.from(tensor.data, (x) => BigInt(Math.trunc(x)))).buffer);
    }
    this.initializers.push({ name, dims: tensor.shape, data_type: as === 'float32' ? DataType.FLOAT : DataType.INT64, raw_data: raw });
    return name;
  }
}

function int64Const(values: number[]): ConstTensor {
  return { dtype: 'int32', shape: [values.length], data: Int32Array.from(values) };
}

/** Evaluates ops whose inputs are all constant (onnx-tf's shape arithmetic). */
function foldConstant(node: TfNode, inputs: ConstTensor[]): ConstTensor | undefined {
  switch (node.op) {
    case 'Add':
    case 'AddV2': {
      const [a, b] = inputs as [ConstTensor, ConstTensor];
      const n = Math.max(a.data.length, b.data.length);
      if (a.data.length !== n && a.data.length !== 1) return undefined;
      if (b.data.length !== n && b.data.length !== 1) return undefined;
      const out = a.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = (a.data[a.data.length === 1 ? 0 : i] ?? 0) + (b.data[b.data.length === 1 ? 0 : i] ?? 0);
      return { dtype: a.dtype, shape: a.data.length === n ? a.shape : b.shape, data: out };
    }
    case 'SparseToDense': {
      // SparseToDense(indices [k, rank] or [k], output_shape, values, default_value).
      const [indices, outputShape, values, defaultValue] = inputs as [ConstTensor, ConstTensor, ConstTensor, ConstTensor];
      const shape = Array.from(outputShape.data);
      const size = shape.reduce((a, b) => a * b, 1);
      const out = values.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
      out.fill(defaultValue.data[0] ?? 0);
      const rank = shape.length;
      const k = indices.shape[0] ?? 0;
      for (let e = 0; e < k; e++) {
        let flat = 0;
        for (let d = 0; d < rank; d++) flat = flat * (shape[d] ?? 1) + (indices.data[e * rank + d] ?? 0);
        out[flat] = values.data.length === 1 ? (values.data[0] ?? 0) : (values.data[e] ?? 0);
      }
      return { dtype: values.dtype, shape, data: out };
    }
    case 'Identity':
      return inputs[0];
    default:
      return undefined;
  }
}

export function convertTfjsGraphToOnnx(graph: TfGraph, options: ConvertOptions = {}): OnnxModel {
  const b = new OnnxGraphBuilder();
  const side = options.inputSize ?? SOURCE_INPUT_SIZE;
  if (side % 32 !== 0 || side < 64) throw new Error(`input size ${side}: must be a multiple of 32, at least 64`);
  const k = side / SOURCE_INPUT_SIZE;
  // Cell counts of the three heads at the source size → at the new size.
  const cells = new Map([8, 16, 32].map((s) => [(SOURCE_INPUT_SIZE / s) ** 2, (side / s) ** 2]));
  const values = new Map<string, Value>();
  for (const [name, tensor] of graph.consts) values.set(`${name}:0`, { kind: 'const', tensor });

  const get = (ref: string, forNode: TfNode): Value => {
    const v = values.get(normaliseRef(ref));
    if (!v) throw new Error(`node ${forNode.name} (${forNode.op}): input ${ref} is not defined yet`);
    return v;
  };
  const constOf = (ref: string, forNode: TfNode): ConstTensor => {
    const v = get(ref, forNode);
    if (v.kind !== 'const') throw new Error(`node ${forNode.name} (${forNode.op}): input ${ref} must be a constant`);
    return v.tensor;
  };
  const tensorName = (ref: string, forNode: TfNode): string => {
    const v = get(ref, forNode);
    return v.kind === 'tensor' ? v.name : b.initializer(ref.replace(/:\d+$/, ''), v.tensor);
  };
  const define = (node: TfNode, outputs = 1): string[] => {
    const names: string[] = [];
    for (let i = 0; i < outputs; i++) {
      const name = i === 0 ? node.name : `${node.name}:${i}`;
      values.set(`${node.name}:${i}`, { kind: 'tensor', name });
      names.push(name);
    }
    return names;
  };
  /** Runs an NCHW ONNX op on an NHWC TF tensor: Transpose in, op, Transpose out. */
  const nchwWrapped = (node: TfNode, op: string, extraInputs: string[], attrs: OnnxAttribute[]): void => {
    const x = tensorName(node.input![0]!, node);
    const xNchw = b.unique(`${node.name}/nchw_in`);
    const yNchw = b.unique(`${node.name}/nchw_out`);
    b.node('Transpose', [x], [xNchw], [intsAttr('perm', NHWC_TO_NCHW)]);
    b.node(op, [xNchw, ...extraInputs], [yNchw], attrs, node.name);
    const [y] = define(node);
    b.node('Transpose', [yNchw], [y!], [intsAttr('perm', NCHW_TO_NHWC)]);
  };
  const checkNhwc = (node: TfNode): void => {
    const format = attrString(node.attr?.data_format) ?? 'NHWC';
    if (format !== 'NHWC') throw new Error(`node ${node.name} (${node.op}): data_format ${format} not supported`);
  };
  const windowAttrs = (node: TfNode, kernel?: number[]): OnnxAttribute[] => {
    const strides = attrInts(node.attr?.strides);
    const padding = attrString(node.attr?.padding) ?? 'VALID';
    const attrs = [intsAttr('strides', [strides[1] ?? 1, strides[2] ?? 1])];
    if (padding === 'SAME') attrs.push(stringAttr('auto_pad', 'SAME_UPPER'));
    else if (padding !== 'VALID') throw new Error(`node ${node.name} (${node.op}): padding ${padding} not supported`);
    if (kernel) attrs.push(intsAttr('kernel_shape', kernel));
    return attrs;
  };

  const graphOutputs = new Map<string, string>(); // signature name -> onnx tensor name
  const signatureOutputs = new Set(graph.outputs.map((o) => o.replace(/:0$/, '')));

  for (const node of graph.nodes) {
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
    const inputValues = inputs.map((i) => values.get(normaliseRef(i)));
    if (node.op === 'Const') {
      if (!values.has(`${node.name}:0`)) throw new Error(`constant ${node.name} has no weights`);
      continue;
    }
    if (node.op !== 'Placeholder' && inputValues.length > 0 && inputValues.every((v) => v?.kind === 'const') && !signatureOutputs.has(node.name)) {
      const folded = foldConstant(node, inputValues.map((v) => (v as { tensor: ConstTensor }).tensor));
      if (!folded) throw new Error(`node ${node.name}: cannot fold constant op ${node.op}`);
      values.set(`${node.name}:0`, { kind: 'const', tensor: folded });
      continue;
    }
    switch (node.op) {
      case 'Placeholder':
        define(node);
        break;
      case 'Identity': {
        const [y] = define(node);
        b.node('Identity', [tensorName(inputs[0]!, node)], [y!], [], node.name);
        if (signatureOutputs.has(node.name)) graphOutputs.set(`${node.name}:0`, y!);
        break;
      }
      case 'Add':
      case 'AddV2':
      case 'Mul':
      case 'Sub':
      case 'RealDiv': {
        const op = { Add: 'Add', AddV2: 'Add', Mul: 'Mul', Sub: 'Sub', RealDiv: 'Div' }[node.op]!;
        const [y] = define(node);
        b.node(op, [tensorName(inputs[0]!, node), tensorName(inputs[1]!, node)], [y!], [], node.name);
        break;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        const [y] = define(node);
        b.node(node.op, [tensorName(inputs[0]!, node)], [y!], [], node.name);
        break;
      }
      case 'Relu6': {
        const [y] = define(node);
        const lo = b.initializer('relu6_min', { dtype: 'float32', shape: [], data: Float32Array.of(0) });
        const hi = b.initializer('relu6_max', { dtype: 'float32', shape: [], data: Float32Array.of(6) });
        b.node('Clip', [tensorName(inputs[0]!, node), lo, hi], [y!], [], node.name);
        break;
      }
      case 'LeakyRelu': {
        const [y] = define(node);
        b.node('LeakyRelu', [tensorName(inputs[0]!, node)], [y!], [floatAttr('alpha', node.attr?.alpha?.f ?? 0.2)], node.name);
        break;
      }
      case 'Transpose': {
        const perm = Array.from(constOf(inputs[1]!, node).data);
        const [y] = define(node);
        b.node('Transpose', [tensorName(inputs[0]!, node)], [y!], [intsAttr('perm', perm)], node.name);
        break;
      }
      case 'Reshape': {
        let shape = constOf(inputs[1]!, node);
        if (k !== 1) shape = { ...shape, data: Int32Array.from(shape.data, (d) => cells.get(d) ?? d) };
        if (Array.from(shape.data).includes(0)) throw new Error(`node ${node.name}: Reshape to a zero dimension not supported`);
        const [y] = define(node);
        b.node('Reshape', [tensorName(inputs[0]!, node), b.initializer(`${node.name}/shape`, shape, 'int64')], [y!], [], node.name);
        break;
      }
      case 'Pad':
      case 'PadV2': {
        // TF paddings are [[before, after], ...] per axis; ONNX wants all befores then all afters.
        const paddings = Array.from(constOf(inputs[1]!, node).data);
        const rank = paddings.length / 2;
        const pads = [...Array.from({ length: rank }, (_, i) => paddings[2 * i]!), ...Array.from({ length: rank }, (_, i) => paddings[2 * i + 1]!)];
        const extra = node.op === 'PadV2' ? [tensorName(inputs[2]!, node)] : [];
        const [y] = define(node);
        b.node('Pad', [tensorName(inputs[0]!, node), b.initializer(`${node.name}/pads`, int64Const(pads), 'int64'), ...extra], [y!], [stringAttr('mode', 'constant')], node.name);
        break;
      }
      case 'ConcatV2': {
        const axis = constOf(inputs[inputs.length - 1]!, node).data[0]!;
        const [y] = define(node);
        b.node('Concat', inputs.slice(0, -1).map((i) => tensorName(i, node)), [y!], [intAttr('axis', axis)], node.name);
        break;
      }
      case 'SplitV': {
        const sizes = Array.from(constOf(inputs[1]!, node).data);
        const axis = constOf(inputs[2]!, node).data[0]!;
        if (sizes.some((s) => s < 0)) throw new Error(`node ${node.name}: SplitV with an inferred size not supported`);
        const outs = define(node, sizes.length);
        b.node('Split', [tensorName(inputs[0]!, node), b.initializer(`${node.name}/split`, int64Const(sizes), 'int64')], outs, [intAttr('axis', axis)], node.name);
        break;
      }
      case 'Conv2D': {
        checkNhwc(node);
        const dilations = attrInts(node.attr?.dilations);
        if (dilations.some((d) => d !== 1)) throw new Error(`node ${node.name}: dilated Conv2D not supported`);
        // TF filter [kh, kw, in, out] → ONNX [out, in, kh, kw].
        const filter = constOf(inputs[1]!, node);
        const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
        const w = new Float32Array(filter.data.length);
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let i = 0; i < cin; i++)
              for (let o = 0; o < cout; o++) w[((o * cin + i) * kh + y) * kw + x] = filter.data[((y * kw + x) * cin + i) * cout + o]!;
        const weight = b.initializer(`${node.name}/weight`, { dtype: 'float32', shape: [cout, cin, kh, kw], data: w });
        nchwWrapped(node, 'Conv', [weight], [...windowAttrs(node, [kh, kw]), intsAttr('dilations', [1, 1])]);
        break;
      }
      case 'MaxPool': {
        checkNhwc(node);
        const k = attrInts(node.attr?.ksize);
        nchwWrapped(node, 'MaxPool', [], windowAttrs(node, [k[1] ?? 1, k[2] ?? 1]));
        break;
      }
      case 'ResizeBilinear': {
        // ONNX Resize wants sizes for every axis: N and C come from the input's runtime shape
        // (onnxruntime folds this, the shapes being static), H and W from the TF size constant.
        let size = constOf(inputs[1]!, node);
        if (k !== 1) {
          const scaled = Array.from(size.data, (d) => d * k);
          if (!scaled.every(Number.isInteger)) throw new Error(`node ${node.name}: resize to ${Array.from(size.data)} does not scale to input ${side}`);
          size = { ...size, data: Int32Array.from(scaled) };
        }
        const halfPixel = node.attr?.half_pixel_centers?.b === true;
        const alignCorners = node.attr?.align_corners?.b === true;
        const mode = halfPixel ? 'half_pixel' : alignCorners ? 'align_corners' : 'asymmetric';
        const x = tensorName(inputs[0]!, node);
        const batch = b.unique(`${node.name}/batch`);
        const channels = b.unique(`${node.name}/channels`);
        const sizes = b.unique(`${node.name}/sizes`);
        b.node('Shape', [x], [batch], [intAttr('start', 0), intAttr('end', 1)]);
        b.node('Shape', [x], [channels], [intAttr('start', 3), intAttr('end', 4)]);
        b.node('Concat', [batch, channels, b.initializer(`${node.name}/hw`, size, 'int64')], [sizes], [intAttr('axis', 0)]);
        nchwWrapped(node, 'Resize', ['', '', sizes], [stringAttr('mode', 'linear'), stringAttr('coordinate_transformation_mode', mode)]);
        break;
      }
      default:
        throw new Error(`node ${node.name}: TF op ${node.op} has no ONNX mapping in this converter`);
    }
  }

  const input = graph.inputs[0];
  if (!input || graph.inputs.length !== 1) throw new Error('expected exactly one graph input');
  const outputs = graph.outputs.map((o) => {
    const name = graphOutputs.get(o);
    if (!name) throw new Error(`signature output ${o} is not produced by the graph`);
    return tensorValueInfo(name, DataType.FLOAT, (options.outputShapes?.[o] ?? []).map((d) => cells.get(d) ?? d));
  });
  const nodes = optimise(b.nodes, b.initializers, new Set(outputs.map((o) => o.name)));
  const used = new Set(nodes.flatMap((n) => n.input));
  return {
    ir_version: 8,
    producer_name: 'camfleet tfjs-to-onnx',
    producer_version: options.producerVersion ?? '1',
    opset_import: [{ domain: '', version: OPSET }],
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'nanodet',
      node: nodes,
      initializer: b.initializers.filter((t) => used.has(t.name)),
      input: [tensorValueInfo(input.name, DataType.FLOAT, input.shape.map((d) => (d === SOURCE_INPUT_SIZE ? side : d)))],
      output: outputs,
    },
  };
}

function permOf(node: OnnxNode): number[] {
  return node.attribute.find((a) => a.name === 'perm')?.ints ?? [];
}
function isInverse(p: number[], q: number[]): boolean {
  return p.length === q.length && q.every((qj, j) => p[qj] === j);
}

/**
 * Graph clean-up: fold Conv → Transpose → Add(bias) into a Conv with a bias, cancel Transposes
 * that follow their inverse, and drop nodes nobody reads. Each rewrite keeps the maths identical.
 */
export function optimise(nodes: OnnxNode[], initializers: OnnxTensor[], outputs: Set<string>): OnnxNode[] {
  let list = [...nodes];
  const consumers = () => {
    const m = new Map<string, OnnxNode[]>();
    for (const n of list) for (const i of n.input) m.set(i, [...(m.get(i) ?? []), n]);
    return m;
  };
  const producer = () => new Map(list.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const initByName = new Map(initializers.map((t) => [t.name, t]));

  // 1. Bias folding.
  let uses = consumers();
  const removed = new Set<OnnxNode>();
  for (const conv of list) {
    if (conv.op_type !== 'Conv' || conv.input.length !== 2) continue;
    const t = uses.get(conv.output[0]!);
    if (t?.length !== 1 || t[0]!.op_type !== 'Transpose' || permOf(t[0]!).join() !== NCHW_TO_NHWC.join()) continue;
    const add = uses.get(t[0]!.output[0]!);
    if (add?.length !== 1 || add[0]!.op_type !== 'Add') continue;
    const biasName = add[0]!.input.find((i) => i !== t[0]!.output[0]);
    const bias = biasName ? initByName.get(biasName) : undefined;
    if (!bias || bias.dims.length !== 1 || outputs.has(t[0]!.output[0]!)) continue;
    conv.input.push(bias.name);
    t[0]!.output = [...add[0]!.output];
    removed.add(add[0]!);
  }
  list = list.filter((n) => !removed.has(n));

  // 2. Transpose cancellation, repeated until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    const prod = producer();
    const rename = new Map<string, string>();
    for (const t2 of list) {
      if (t2.op_type !== 'Transpose' || outputs.has(t2.output[0]!)) continue;
      const t1 = prod.get(t2.input[0]!);
      if (!t1 || t1.op_type !== 'Transpose' || !isInverse(permOf(t1), permOf(t2))) continue;
      rename.set(t2.output[0]!, t1.input[0]!);
    }
    if (rename.size > 0) {
      for (const n of list) n.input = n.input.map((i) => rename.get(i) ?? i);
      changed = true;
    }
    // 3. Dead nodes.
    uses = consumers();
    const before = list.length;
    list = list.filter((n) => n.output.some((o) => outputs.has(o) || uses.has(o)));
    if (list.length !== before) changed = true;
  }
  return list;
}
