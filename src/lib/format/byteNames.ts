/**
 * Names are bytes. Linux names (and symlink targets and xattr names) are byte strings in no
 * particular encoding: Latin-1 archives, Samba shares and old backups hold names that are not
 * UTF-8. shmr keeps them exactly, as JavaScript strings of one character per byte (Latin-1
 * decoding, which maps all 256 byte values one to one): the FUSE binding hands them over that
 * way, the metadata store keeps them that way, and `name.length` is a name's length in bytes.
 *
 * Text a person typed (command-line arguments, the config) is UTF-8 and becomes a byte name with
 * `byteNameOf`; a byte name is shown to a person with `textOfByteName` (bytes that are not UTF-8
 * show as U+FFFD there, and only there).
 */
export const BYTE_NAME_ENCODING = 'latin1'

/** The byte name of UTF-8 text: `café` (5 bytes in UTF-8) becomes a 5-character byte name. */
export function byteNameOf(text: string): string {
  return Buffer.from(text, 'utf8').toString(BYTE_NAME_ENCODING)
}

/** A byte name as text for a person: its bytes decoded as UTF-8. */
export function textOfByteName(name: string): string {
  return Buffer.from(name, BYTE_NAME_ENCODING).toString('utf8')
}
