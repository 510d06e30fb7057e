import type { Address } from '../../src/store/schema.js';

/** One demo person: who they are and where they live (fictional addresses on real streets). */
export interface Person {
  name: string;
  /** Local part of the e-mail address; the domain is chosen by the generator. */
  emailLocal: string;
  address: Address;
}

export const PEOPLE: readonly Person[] = [
  { name: 'Ada Lovelace', emailLocal: 'ada.lovelace', address: { line1: "12 St James's Square", city: 'London', postalCode: 'SW1Y 4JU', country: 'GB' } },
  { name: 'Chinedu Okafor', emailLocal: 'chinedu.okafor', address: { line1: '14 Adeola Odeku Street', line2: 'Victoria Island', city: 'Lagos', region: 'Lagos', postalCode: '101241', country: 'NG' } },
  { name: 'Sofía García López', emailLocal: 'sofia.garcia', address: { line1: 'Calle de Alcalá 123', line2: '3º B', city: 'Madrid', postalCode: '28009', country: 'ES' } },
  { name: 'Hiroshi Tanaka', emailLocal: 'hiroshi.tanaka', address: { line1: '2-11-3 Meguro', line2: 'Meguro-ku', city: 'Tokyo', postalCode: '153-0063', country: 'JP' } },
  { name: 'Priya Raghunathan', emailLocal: 'priya.r', address: { line1: '47 Mahatma Gandhi Road', city: 'Bengaluru', region: 'Karnataka', postalCode: '560001', country: 'IN' } },
  { name: 'Lukas Schneider', emailLocal: 'lukas.schneider', address: { line1: 'Schönhauser Allee 58', city: 'Berlin', postalCode: '10437', country: 'DE' } },
  { name: 'Amélie Dubois', emailLocal: 'amelie.dubois', address: { line1: '18 Rue des Martyrs', city: 'Paris', postalCode: '75009', country: 'FR' } },
  { name: 'Omar Hassan', emailLocal: 'omar.hassan', address: { line1: '27 Tahrir Street', line2: 'Dokki', city: 'Giza', postalCode: '12611', country: 'EG' } },
  { name: 'Mei-Lin Chen', emailLocal: 'meilin.chen', address: { line1: '455 Grant Avenue', line2: 'Apt 6', city: 'San Francisco', region: 'CA', postalCode: '94108', country: 'US' } },
  { name: 'Jamal Washington', emailLocal: 'jamal.washington', address: { line1: '1820 N Halsted Street', city: 'Chicago', region: 'IL', postalCode: '60614', country: 'US' } },
  { name: 'Giulia Romano', emailLocal: 'giulia.romano', address: { line1: 'Via dei Serpenti 42', city: 'Roma', region: 'RM', postalCode: '00184', country: 'IT' } },
  { name: 'Aoife Byrne', emailLocal: 'aoife.byrne', address: { line1: '7 Harcourt Terrace', city: 'Dublin', region: 'Co. Dublin', postalCode: 'D02 X285', country: 'IE' } },
  { name: 'Joost van den Berg', emailLocal: 'joost.vandenberg', address: { line1: 'Prinsengracht 263', city: 'Amsterdam', postalCode: '1016 GV', country: 'NL' } },
  { name: 'João Pereira', emailLocal: 'joao.pereira', address: { line1: 'Rua Augusta 215', line2: '2º Esq.', city: 'Lisboa', postalCode: '1100-048', country: 'PT' } },
  { name: 'Ana Beatriz Souza', emailLocal: 'ana.souza', address: { line1: 'Rua Oscar Freire 379', line2: 'Apto 52', city: 'São Paulo', region: 'SP', postalCode: '01426-001', country: 'BR' } },
  { name: 'Alejandro Hernández', emailLocal: 'alejandro.hernandez', address: { line1: 'Av. Paseo de la Reforma 250', line2: 'Piso 8', city: 'Ciudad de México', region: 'CDMX', postalCode: '06600', country: 'MX' } },
  { name: 'Wanjiru Kamau', emailLocal: 'wanjiru.kamau', address: { line1: 'Ngong Road, Kilimani', city: 'Nairobi', postalCode: '00100', country: 'KE' } },
  { name: "Liam O'Connor", emailLocal: 'liam.oconnor', address: { line1: '350 Bay Street', line2: 'Unit 1204', city: 'Toronto', region: 'ON', postalCode: 'M5H 2S6', country: 'CA' } },
  { name: 'Charlotte Nguyen', emailLocal: 'charlotte.nguyen', address: { line1: '88 George Street', city: 'Sydney', region: 'NSW', postalCode: '2000', country: 'AU' } },
  { name: 'Mateusz Kowalski', emailLocal: 'mateusz.kowalski', address: { line1: 'ul. Marszałkowska 84/92 m. 15', city: 'Warszawa', postalCode: '00-514', country: 'PL' } },
  { name: 'Eleni Papadopoulou', emailLocal: 'eleni.papadopoulou', address: { line1: 'Ermou 56', city: 'Athina', postalCode: '105 63', country: 'GR' } },
  { name: 'Park Min-jun', emailLocal: 'minjun.park', address: { line1: '152 Teheran-ro', line2: 'Gangnam-gu', city: 'Seoul', postalCode: '06236', country: 'KR' } },
  { name: 'Fatima Zahra El Amrani', emailLocal: 'fatima.elamrani', address: { line1: 'Avenue Louise 231', city: 'Bruxelles', postalCode: '1050', country: 'BE' } },
  { name: 'Oliver Bennett', emailLocal: 'oliver.bennett', address: { line1: '45 Deansgate', city: 'Manchester', postalCode: 'M3 2AY', country: 'GB' } },
  { name: 'Thandiwe Nkosi', emailLocal: 'thandiwe.nkosi', address: { line1: '14 Long Street', city: 'Cape Town', region: 'Western Cape', postalCode: '8001', country: 'ZA' } },
  { name: 'Mikko Virtanen', emailLocal: 'mikko.virtanen', address: { line1: 'Mannerheimintie 12 B 7', city: 'Helsinki', postalCode: '00100', country: 'FI' } },
];

const EURO = new Set(['DE', 'FR', 'ES', 'IT', 'IE', 'NL', 'PT', 'GR', 'BE', 'FI', 'PL']);

/** Account currency for a home country: GBP in GB, EUR in the euro area (and PL), USD elsewhere. */
export function currencyFor(country: string): 'USD' | 'EUR' | 'GBP' {
  if (country === 'GB') return 'GBP';
  return EURO.has(country) ? 'EUR' : 'USD';
}

/** Country dialling code and local number length (fictional numbers). */
const DIAL: Record<string, [string, number]> = {
  NG: ['234', 10], ES: ['34', 9], JP: ['81', 10], IN: ['91', 10], DE: ['49', 11], FR: ['33', 9], EG: ['20', 10],
  IT: ['39', 10], IE: ['353', 9], NL: ['31', 9], PT: ['351', 9], BR: ['55', 11], MX: ['52', 10], KE: ['254', 9],
  AU: ['61', 9], PL: ['48', 9], GR: ['30', 10], KR: ['82', 10], BE: ['32', 9], ZA: ['27', 9], FI: ['358', 9],
};

/** A phone number in E.164 style; UK and North American numbers use the ranges reserved for drama. */
export function phoneFor(country: string, digits: (n: number) => string): string {
  if (country === 'GB') return `+44 7700 900${digits(3)}`;
  if (country === 'US' || country === 'CA') return `+1 ${country === 'US' ? '312' : '416'} 555 01${digits(2)}`;
  const [code, len] = DIAL[country] ?? ['1', 10];
  return `+${code} ${digits(len).replace(/^0/, '7')}`;
}
