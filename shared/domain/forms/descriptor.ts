/**
 * What the browser adapter extracts from a page about each control, in plain data: the classifier works on
 * these and never touches a DOM. `key` is the handle the adapter uses to address the control again.
 */
export interface FieldOption {
  value: string;
  text: string;
  disabled?: boolean;
}

export interface FieldDescriptor {
  /** Handle for the adapter (e.g. the value of a data attribute it set), unique within the page. */
  key: string;
  /** Index of the frame that holds the control (0 = main frame). */
  frame: number;
  tag: 'input' | 'textarea' | 'select' | 'button' | 'a' | 'img' | 'other';
  /**
   * Lower-cased input type (`text`, `radio`, `checkbox`, `submit`, `image`, `button`, `hidden`…); '' otherwise.
   * A rich-text editor (a contenteditable element, or an iframe in design mode) is a `textarea` of type `richtext`.
   */
  type: string;
  name: string;
  id: string;
  placeholder: string;
  /** Text of <label for=id> or of the wrapping <label>. */
  label: string;
  /** Text just before the control: preceding table cell, preceding text, the group's caption. */
  nearText: string;
  /** Visible text of a button/link, or an input button's value. */
  text: string;
  title: string;
  /** `href`/`onclick` of links and buttons (to spot __doPostBack / javascript: submit). */
  action: string;
  maxLength?: number;
  /** The minlength attribute (a body the site wants at least this long). */
  minLength?: number;
  required: boolean;
  visible: boolean;
  /** Options of a select; for a radio/checkbox, its own label is in `label` and the group caption in `nearText`. */
  options?: FieldOption[];
  /** For radio/checkbox: the value attribute. */
  value?: string;
  /** An <img> is right next to the control (captcha hint). */
  imageNearby?: boolean;
  /** The image next to the control is served from a captcha-like address (ValidateCode.aspx, captcha.jsp, yzm…). */
  captchaImageNearby?: boolean;
  /** A button/link next to the control mentions 获取验证码/发送验证码 (SMS hint). */
  smsButtonNearby?: boolean;
  /** The control is disabled (e.g. a 同意 button during the 须知's countdown). */
  disabled?: boolean;
  /** Index of the enclosing <form> in its frame, -1 when none. */
  form: number;
  /**
   * The control's ancestor elements, nearest first, as numbers unique within one extraction of its frame: where
   * a page has no <form> (or a login box outside it), containment tells the letter's fields from a header's.
   */
  anc?: number[];
  /**
   * For a 同意/确定-like button, link or checkbox inside a dialog or overlay (position:fixed, role=dialog, a
   * layer/modal box): that overlay's element, numbered as in `anc`.
   */
  overlay?: number;
  /** Short text right after the control (（限10字以内）, a unit, a format hint). */
  hint?: string;
}
