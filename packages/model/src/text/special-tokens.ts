/** The special tokens, in id order: every heartline WordPiece vocabulary starts with exactly these. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Id of `[PAD]` (padding; its attention-mask entry is 0). */
export const PAD_ID = 0;
/** Id of `[UNK]` (a character the vocabulary cannot spell). */
export const UNK_ID = 1;
/** Id of `[CLS]` (first token of every sequence; its output summarises the report). */
export const CLS_ID = 2;
/** Id of `[SEP]` (end of the sequence, before padding). */
export const SEP_ID = 3;
/** Id of `[MASK]` (masked-language-model target). */
export const MASK_ID = 4;

/** Prefix of a piece that continues a word rather than starting one (`verlängerung` → `verl`, `##ängerung`). */
export const CONTINUATION_PREFIX = '##';
