/**
 * Refuses oversized MQTT packets before they are buffered. aedes' parser (mqtt-packet) waits for
 * a whole packet whatever its announced length, so a hostile client could make the broker hold
 * up to 256 MiB per connection. This guard reads only the fixed headers as bytes stream past
 * and reports the first packet whose announced length exceeds the limit.
 *
 * Pure state machine (no sockets) so it is testable byte by byte.
 */
export class MqttPacketGuard {
  /** Bytes of the current packet's body still to skip. */
  private remaining = 0;
  /** 0: expecting a fixed-header type byte; 1: reading the remaining-length varint. */
  private state: 0 | 1 = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds a chunk; returns the offending announced size, or undefined while all is well. */
  push(chunk: Uint8Array): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 0) {
        this.state = 1;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.maxPacketBytes) return this.length;
      if (byte & 0x80) {
        // MQTT allows at most 4 length bytes; more is malformed (and the parser would refuse it).
        if (this.lengthBytes >= 4) return Number.POSITIVE_INFINITY;
        continue;
      }
      this.state = 0;
      this.remaining = this.length;
    }
    return undefined;
  }
}
