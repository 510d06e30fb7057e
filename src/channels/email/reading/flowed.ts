/**
 * RFC 3676 `format=flowed` decoding: a line ending in a space continues on the next line — but only within the
 * same quote depth (§4.5): "> Hi " followed by "Hello" is a quote and a new line, not "> Hi Hello". Quote markers
 * are counted, space-stuffing is undone, the signature separator "-- " is never joined, and with `DelSp=yes` the
 * soft-break space is removed. Linear in the text.
 */
export function decodeFlowed(text: string, delSp: boolean): string {
  const out: string[] = [];
  let open: { depth: number; text: string } | undefined;
  const flush = () => {
    if (open) out.push(open.depth > 0 ? `${'>'.repeat(open.depth)}${open.text === '' ? '' : ' '}${open.text}` : open.text);
    open = undefined;
  };
  for (const raw of text.split(/\r?\n/u)) {
    let depth = 0;
    while (raw[depth] === '>') depth++;
    let content = raw.slice(depth);
    if (content.startsWith(' ')) content = content.slice(1);
    const signature = content === '-- ';
    const soft = !signature && content.endsWith(' ');
    if (soft && delSp) content = content.slice(0, -1);
    if (open && open.depth === depth) open.text += content;
    else {
      flush();
      open = { depth, text: content };
    }
    if (!soft) flush();
  }
  flush();
  return out.join('\n');
}
