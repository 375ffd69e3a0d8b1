<?php
namespace OPNsense\Base\Messages;

class Message
{
    private $message;
    private $field;

    public function __construct($message, $field = '')
    {
        $this->message = $message;
        $this->field = $field;
    }

    public function getMessage()
    {
        return $this->message;
    }

    public function getField()
    {
        return $this->field;
    }
}
