/** Strict decoding: characters cut across chunks survive; bytes invalid for the declared encoding fail the file, located. */
import { describe, expect, it } from "vitest";
import { decodeText, UnreadableContentError } from "@tributary/core/files";

async function decodeAll(chunks: Uint8Array[], encoding: "utf8" | "utf16le" | "latin1"): Promise<string> {
  async function* source() {
    yield* chunks;
  }
  let text = "";
  for await (const part of decodeText(source(), encoding)) text += part;
  return text;
}

describe("decodeText", () => {
  it("decodes UTF-8 whose multi-byte characters are cut across chunks, dropping a BOM", async () => {
    // Prepare
    const bytes = Buffer.from("\uFEFFKüche;😀;ß", "utf8");

    // Act
    const decoded = await Promise.all(
      Array.from({ length: bytes.length + 1 }, (_, cut) => decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)], "utf8")),
    );

    // Assess
    expect(new Set(decoded)).toEqual(new Set(["Küche;😀;ß"]));
  });

  it("reads latin1 byte for byte, including 0x80-0x9F (which windows-1252 would turn into other characters)", async () => {
    // Act
    const text = await decodeAll([Buffer.from([0x4b, 0xfc, 0x80, 0x9f, 0xe9])], "latin1");

    // Assess
    expect([...text].map((c) => c.codePointAt(0))).toEqual([0x4b, 0xfc, 0x80, 0x9f, 0xe9]);
  });

  it("fails on bytes that are not valid in the declared encoding, naming where", async () => {
    // Prepare: "Café" in latin1, sent to a utf8 feed
    const chunks = [Buffer.from("id,name\n", "latin1"), Buffer.from("1,Caf\u00e9\n", "latin1")];

    // Act
    const attempt = decodeAll(chunks, "utf8");

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnreadableContentError);
    await expect(attempt).rejects.toThrow("files: byte 13 (0xe9, counting decompressed bytes from 0) is not valid utf8");
  });
});
