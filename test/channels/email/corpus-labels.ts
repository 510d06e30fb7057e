/**
 * Hand labels for the raw messages of ../shared/corpora/email (EMAIL_INDEX.tsv), read one by one: who wrote each
 * mail, independent of what the loop guard decides.
 * - human: a person wrote it to someone (test mails people sent from their clients count): it must be answered.
 * - automated: a machine or a list sent it (bounces, reports, auto-replies, list posts and digests, newsletters,
 *   notifications): it must not be answered.
 * - spam: unsolicited bulk mail from spammers' machines. Only the receiving server's filter can tell it (a verdict
 *   header); without one it looks like a person's mail, so it is reported apart.
 * - artifact: a MIME-structure test with no usable sender (no From address at all): neither answered nor counted.
 * A path not listed here is reported as unlabelled.
 */
export type Label = 'human' | 'automated' | 'spam' | 'artifact';

const FLANKER = 'mailgun+flanker/tests/fixtures/messages/';
const MIKEL = 'mikel+mail/spec/fixtures/emails/';
const STALWART = 'stalwartlabs+mail-parser/resources/eml/';

const groups: Array<[Label, string, string[]]> = [
  ['human', FLANKER, [
    '8bitmime', 'bilingual-simple', 'bz2-attachment', 'dashed-boundaries', 'enclosed-bad-encoding', 'enclosed-broken-body', 'enclosed-broken',
    'enclosed-global', 'enclosed', 'encoded-header', 'false-multipart', 'iphone', 'long-links', 'mailformed-headers', 'mailgun-pic',
    'missing-boundaries', 'missing-final-boundary', 'multi-received-headers', 'multipart', 'no-ctype', 'outlook-express', 'quoted-printable',
    'relative', 'signed', 'text-only', 'torture-part',
  ]],
  ['automated', FLANKER, [
    'bounce/broken-mime', 'bounce/delayed-broken', 'bounce/delayed', 'bounce/gmail-invalid-address', 'bounce/gmail-no-dns', 'bounce/mailbox-full',
    'bounce/no-mx', 'bounce/office365', 'bounce/zed', 'complaints/aol', 'complaints/yahoo', 'disposition-notification',
    'apache-message-news-mime', 'from-encoding', 'message-external-body',
  ]],
  ['spam', FLANKER, ['spam/broken-ctype', 'spam/broken-headers']],
  ['artifact', FLANKER, ['attached-pdf']],
  ['human', 'mailgun+talon/tests/fixtures/', [
    'reply-quotations-share-block', 'standard_replies/android', 'standard_replies/aol', 'standard_replies/apple_mail', 'standard_replies/apple_mail_2',
    'standard_replies/comcast', 'standard_replies/gmail', 'standard_replies/hotmail', 'standard_replies/iphone', 'standard_replies/outlook',
    'standard_replies/sparrow', 'standard_replies/thunderbird', 'standard_replies/yahoo',
  ]],
  ['human', `${MIKEL}attachment_emails/`, [
    'attachment_content_disposition', 'attachment_content_location', 'attachment_message_rfc822', 'attachment_message_rfc822_inline_image',
    'attachment_nonascii_filename', 'attachment_only_email', 'attachment_pdf', 'attachment_pdf_lf', 'attachment_pdf_non_ascii',
    'attachment_pdf_non_ascii_lf', 'attachment_with_base64_encoded_name', 'attachment_with_encoded_name', 'attachment_with_quoted_filename',
    'attachment_with_unquoted_name',
  ]],
  ['human', `${MIKEL}error_emails/`, [
    'header_fields_with_empty_values', 'missing_body', 'multiple_content_types', 'multiple_invalid_content_dispositions', 'multiple_references_with_one_invalid',
  ]],
  // Newsletters, a survey invitation, lead and password-reset notifications, a LISTSERV post, an eBay robot.
  ['automated', `${MIKEL}error_emails/`, [
    'bad_date_header2', 'bad_subject', 'cant_parse_from', 'content_transfer_encoding_7-bit', 'content_transfer_encoding_with_8bits',
    'content_transfer_encoding_x_uuencode', 'empty_in_reply_to', 'encoding_madness', 'invalid_subject_characters', 'missing_content_disposition',
    'new_line_in_to_header', 'trademark_character_in_subject', 'weird_to_header',
  ]],
  ['spam', `${MIKEL}error_emails/`, [
    'bad_date_header', 'content_transfer_encoding_empty', 'content_transfer_encoding_plain', 'content_transfer_encoding_qp_with_space',
    'content_transfer_encoding_spam', 'content_transfer_encoding_text-html', 'content_transfer_encoding_with_semi_colon', 'empty_group_lists',
    'must_supply_encoding',
  ]],
  ['artifact', `${MIKEL}error_emails/`, ['bad_encoded_subject']],
  ['human', `${MIKEL}mime_emails/`, [
    'email_with_similar_boundaries', 'raw_email11', 'raw_email12', 'raw_email2', 'raw_email4', 'raw_email7', 'raw_email_with_binary_encoded',
    'raw_email_with_illegal_boundary', 'raw_email_with_multipart_mixed_quoted_boundary', 'raw_email_with_nested_attachment',
    'raw_email_with_quoted_illegal_boundary', 'sig_only_email', 'two_from_in_message',
  ]],
  ['automated', `${MIKEL}mime_emails/`, ['raw_email_encoded_stack_level_too_deep', 'raw_email_with_mimepart_without_content_type']],
  ['human', `${MIKEL}multi_charset/`, ['japanese', 'japanese_attachment', 'japanese_attachment_long_name', 'japanese_iso_2022', 'japanese_shift_jis', 'ks_c_5601-1987']],
  ['automated', `${MIKEL}multipart_report_emails/`, ['multi_address_bounce1', 'multi_address_bounce2', 'multipart_report_multiple_status', 'report_422', 'report_530']],
  ['human', `${MIKEL}plain_emails/`, [
    'basic_email', 'raw_email_double_at_in_header', 'raw_email_reply', 'raw_email_string_in_date_field', 'raw_email_with_partially_quoted_subject',
  ]],
  ['automated', `${MIKEL}plain_emails/`, ['raw_email_multiple_from']], // a Subversion commit notification
  ['spam', `${MIKEL}plain_emails/`, ['raw_email_incorrect_header', 'raw_email_with_bad_date']],
  ['human', `${MIKEL}rfc6532/`, ['utf8_headers']],
  ['human', 'nodemailer+mailparser/test/fixtures/', ['base64encodedroot', 'decoderended', 'nested', 'nodemailer']], // base64encodedroot: a person's image-only mail
  ['automated', 'nodemailer+mailparser/test/fixtures/', ['delivery-status']],
  ['spam', 'nodemailer+mailparser/test/fixtures/', ['spam']],
  ['artifact', 'nodemailer+mailparser/test/fixtures/', ['mixed']],
  ['human', 'postalsys+postal-mime/test/fixtures/', ['mimetorture']],
  ['automated', 'postalsys+postal-mime/test/fixtures/', ['arf', 'bounce', 'calendar-event']], // calendar-event: sent by Google Calendar
  ['artifact', 'postalsys+postal-mime/test/fixtures/', ['mixed']],
  ['human', `${STALWART}malformed/`, ['015', '017', '020', '021', '022']],
  ['artifact', `${STALWART}malformed/`, ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '011', '012', '013', '014', '016', '018', '019']],
  ['human', `${STALWART}rfc/`, ['000', '002', '003', '005', '006', '009']],
  ['automated', `${STALWART}rfc/`, ['004']], // a list digest
  ['artifact', `${STALWART}rfc/`, ['001', '007', '008']],
  ['human', `${STALWART}thirdparty/`, ['008', '011', '012', '015', '016', '017', '018', '019']],
  ['automated', `${STALWART}thirdparty/`, ['007', '014']], // a digest, a Mailman list post
  ['artifact', `${STALWART}thirdparty/`, ['000', '001', '002', '003', '004', '005', '006', '009', '010', '013']],
];

export const corpusLabels: ReadonlyMap<string, Label> = new Map(
  groups.flatMap(([label, dir, names]) => names.map((n) => [`${dir}${n}.eml`, label] as [string, Label])),
);
