// The stopword package ships no types; these are the per-language lists this project uses (ISO 639-3 names).
declare module 'stopword' {
  export const eng: string[];
  export const fra: string[];
  export const spa: string[];
  export const deu: string[];
  export const ita: string[];
  export const por: string[];
  export const nld: string[];
}
