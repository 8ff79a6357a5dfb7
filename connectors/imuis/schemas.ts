import { z } from 'zod';

/**
 * iMuis answers at the edge (docs/providers/imuis.md §3): every value is text (the parser keeps it so), a row holds
 * the selected fields, and a field that is null in iMuis is simply absent (a .NET DataSet leaves it out). The keys are
 * required; a row without one, or with a field that repeats, is an unexpected answer, never a record to guess at.
 */

const text = z.string().optional();
/** A numeric key (DEB.NR, ARTGRP.NR, ORDKOP.NR, OFFKOP.NR). */
const number = z.string().regex(/^\d+$/);
/** A CHAR key (ART.NR, up to 20 characters of any kind). */
const code = z.string().min(1);

export const metadataSchema = z.object({
  RECORDCOUNT: number,
  TOTALPAGES: number.optional(),
});

export const debtorSchema = z.object({
  NR: number,
  ZKSL: text,
  NAAM: text,
  ADRES: text,
  POSTCD: text,
  PLAATS: text,
  LAND: text,
  EMAIL: text,
  TEL: text,
  BLOK: text,
  BLOKVRKVA: text,
});
export type DebtorRow = z.infer<typeof debtorSchema>;

export const articleSchema = z.object({
  NR: code,
  ZKSL: text,
  OMSCHR: text,
  VERKPR: text,
  EENHVERK: text,
  EENHPRS: text,
  ARTGRP: text,
  BLOK: text,
  BLOKVRK: text,
});
export type ArticleRow = z.infer<typeof articleSchema>;

export const articleGroupSchema = z.object({
  NR: number,
  OMSCHR: text,
  ZKSL: text,
  BLOK: text,
});
export type ArticleGroupRow = z.infer<typeof articleGroupSchema>;

export const orderHeadSchema = z.object({
  NR: number,
  KENM: text,
  DEB: text,
});
export type OrderHeadRow = z.infer<typeof orderHeadSchema>;

/** ORDKOP as the reconciliation lists it (docs §9): the header and its date (`dd-mm-jjjj` in answers). */
export const orderListSchema = orderHeadSchema.extend({ DAT: text });

/** UNCONFIRMED (docs §7): the quote header by analogy with ORDKOP; OMSCHR and OPM may not exist. */
export const quoteSchema = z.object({
  NR: number,
  DEB: text,
  DAT: text,
  OMSCHR: text,
  OPM: text,
});
export type QuoteRow = z.infer<typeof quoteSchema>;

/** UNCONFIRMED link field OFFNR (by analogy with ORDRG.ORDNR); PRS as on the documented quote-line call (S5). */
export const quoteLineSchema = z.object({
  OFFNR: number,
  RG: text,
  ART: text,
  AANT: text,
  OMSCHR: text,
  PRS: text,
});
export type QuoteLineRow = z.infer<typeof quoteLineSchema>;

/** The fields to select: exactly what each schema knows, so anything else in an answer is reported as unexpected. */
export const fieldsOf = (schema: z.ZodObject): string[] => Object.keys(schema.shape);
